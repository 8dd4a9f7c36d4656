import StreamKitCore
import StreamKitEngine

/// Decides whether a role may run a pipeline or add/retune a node: node kinds against the role's
/// allowlists, and file paths in node parameters against ``FilePathPolicy`` (§4.6, §4.7, §5.3, §8).
///
/// Every problem is reported, not just the first, so a user can fix a pipeline in one go. The
/// checks are the same in every context, with two deliberate differences from the original:
/// `core::file_reader` paths are checked in oneshot runs with media too (the original skipped
/// them, letting any role that may use the reader read any file), and a node whose kind is
/// forbidden gets no path checks (its path messages would only let the caller probe the file
/// system through a node it may not use).
///
/// A refused file path is answered with one message whatever the reason (missing, outside the
/// allowlist, a directory, a dangling link…) that repeats only the path the caller sent: telling a
/// caller whether `/etc/shadow` exists, or showing the working directory and link targets, would let it
/// map the file system. The full reason is kept in ``AuthorizationProblem/detail`` for the server log,
/// and shown to roles that may load plugins (they run native code on the server anyway).
public enum PipelineAuthorizer {
    /// Where the pipeline or node will run.
    public enum Context: Sendable, Equatable {
        /// `POST /api/v1/process`; `hasMedia` tells whether a `media` part was uploaded.
        case oneshot(hasMedia: Bool)
        /// A dynamic session (HTTP create, WebSocket addnode / tune / batches).
        case dynamic
    }

    /// What is being done to a single node.
    public enum NodeOperation: Sendable, Equatable {
        /// The node is being added (or is part of a new pipeline): kind and paths are checked.
        case add
        /// An `UpdateParams` for an existing node: only the paths in the new params are checked
        /// (the kind passed when the node was added), and only those present, since a partial
        /// update that omits a path does not change it.
        case updateParams
    }

    /// The synthetic oneshot input/output kinds: always allowed in oneshot runs, never in dynamic sessions.
    public static let oneshotMarkerKinds: Set<String> = ["streamkit::http_input", "streamkit::http_output"]
    /// The prefix of plugin kinds, which must also pass `allowedPlugins`.
    public static let pluginPrefix = "plugin::"
    static let fileReaderKind = "core::file_reader"
    static let fileWriterKind = "core::file_writer"
    static let scriptKind = "core::script"

    /// Checks every node of `document`.
    /// - Returns: every problem found, in document order; empty when the pipeline may run.
    public static func check(
        _ document: PipelineDocument,
        permissions: RolePermissions,
        paths: FilePathPolicy,
        context: Context
    ) -> [AuthorizationProblem] {
        // Compile the allowlists once for the whole document.
        let lists = Lists(permissions)
        return document.nodes.flatMap { node in
            check(nodeID: node.id, kind: node.kind, params: node.params, lists: lists, paths: paths,
                  context: context, operation: .add)
        }
    }

    /// Checks one node (WebSocket `addnode`, `tunenode` with `UpdateParams`, batch operations).
    /// - Parameters:
    ///   - params: the node's parameters (for `.updateParams`, the update being applied).
    ///   - context: usually `.dynamic`; WebSocket requests always concern dynamic sessions.
    public static func check(
        nodeID: String,
        kind: String,
        params: JSONValue?,
        permissions: RolePermissions,
        paths: FilePathPolicy,
        context: Context = .dynamic,
        operation: NodeOperation = .add
    ) -> [AuthorizationProblem] {
        check(nodeID: nodeID, kind: kind, params: params, lists: Lists(permissions), paths: paths,
              context: context, operation: operation)
    }

    // MARK: - Implementation

    /// Whether a node reads or writes the file a path parameter names.
    private enum FileAccess {
        case read
        case write

        /// The setting whose patterns admit the path.
        var allowlist: String {
            switch self {
            case .read: "security.allowed_file_paths"
            case .write: "security.allowed_write_paths"
            }
        }
    }

    private struct Lists {
        var nodes: Allowlist
        var plugins: Allowlist
        /// Whether path refusals may carry their full reason (roles that may load plugins).
        var revealsPathDetails: Bool

        init(_ permissions: RolePermissions) {
            nodes = permissions.nodeAllowlist
            plugins = permissions.pluginAllowlist
            revealsPathDetails = permissions.loadPlugins
        }
    }

    private static func check(
        nodeID: String,
        kind: String,
        params: JSONValue?,
        lists: Lists,
        paths: FilePathPolicy,
        context: Context,
        operation: NodeOperation
    ) -> [AuthorizationProblem] {
        var problems: [AuthorizationProblem] = []
        func report(_ category: AuthorizationProblem.Category, _ message: String) {
            problems.append(AuthorizationProblem(nodeID: nodeID, kind: kind, category: category, message: message))
        }
        func refuse(_ what: String, path: String, _ error: FilePathError, allowlist: String) {
            let full = "\(what) in node '\(nodeID)': \(error.message)"
            let uniform = "\(what) in node '\(nodeID)': path '\(path)' is not allowed (it must name a file under \(allowlist))"
            problems.append(AuthorizationProblem(
                nodeID: nodeID, kind: kind, category: .invalid, message: lists.revealsPathDetails ? full : uniform, detail: full
            ))
        }

        /// Checks a path parameter the node reads or writes: a value that is not a string is
        /// reported as `notAString`, a path the policy refuses under `refusal`.
        func checkPath(_ value: JSONValue?, for access: FileAccess, refusal: String, notAString: String) {
            guard let path = value?.stringValue else {
                report(.invalid, notAString)
                return
            }
            do throws(FilePathError) {
                switch access {
                case .read: _ = try paths.checkRead(path)
                case .write: _ = try paths.checkWrite(path)
                }
            } catch {
                refuse(refusal, path: path, error, allowlist: access.allowlist)
            }
        }

        if operation == .add {
            if oneshotMarkerKinds.contains(kind) {
                if context == .dynamic {
                    report(.invalid, "Node type '\(kind)' is oneshot-only and cannot be used in dynamic sessions (node '\(nodeID)')")
                }
                // Markers carry no file paths and are implicitly allowed in oneshot runs.
                return problems
            }
            if !lists.nodes.allows(kind) {
                report(.forbidden, "Permission denied: node type '\(kind)' not allowed (node '\(nodeID)')")
            }
            if kind.hasPrefix(pluginPrefix), !lists.plugins.allows(kind) {
                report(.forbidden, "Permission denied: plugin '\(kind)' not allowed (node '\(nodeID)')")
            }
            guard problems.isEmpty else { return problems }
        }

        let parameters = params?.objectValue
        switch kind {
        case fileReaderKind:
            // A reader without a path (or with `path: null`) has nothing to check; the node's own validation reports it.
            if let value = parameters?["path"], !value.isNull {
                checkPath(value, for: .read, refusal: "Invalid file path",
                          notAString: "Invalid file_reader params in node '\(nodeID)': expected params.path to be a string")
            }
        case fileWriterKind:
            let value = parameters?["path"]
            // A writer must say where it writes when added; an update may leave the path alone.
            if value == nil, operation == .updateParams { break }
            checkPath(value, for: .write, refusal: "Invalid write path",
                      notAString: "Invalid file_writer params in node '\(nodeID)': expected params.path to be a string")
        case scriptKind:
            // An empty script_path means "use the inline script", as in the original.
            if let value = parameters?["script_path"], !value.isNull, value.stringValue != "" {
                checkPath(value, for: .read, refusal: "Invalid script_path",
                          notAString: "Invalid script_path in node '\(nodeID)': expected params.script_path to be a string")
            }
        default:
            break
        }
        return problems
    }
}
