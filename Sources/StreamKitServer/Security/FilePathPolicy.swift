/// Which files pipeline nodes may read and write (§8.5): `security.allowed_file_paths` for
/// `core::file_reader` `path` and `core::script` `script_path`, `security.allowed_write_paths`
/// for `core::file_writer` `path`.
///
/// Paths are resolved against the working directory and canonicalized with `realpath(3)`, so a
/// symlink inside an allowed directory that points outside it is judged by where it points.
///
/// Pattern rules (the same for both lists):
/// - `**` alone allows everything.
/// - A relative pattern is relative to the working directory.
/// - A pattern is a ``GlobPattern`` matched against the canonical path (`*` crosses `/`).
/// - The pattern's leading wildcard-free directories are also canonicalized before matching, so
///   `media/**` keeps working when `media` is itself a symlink (or the working directory sits
///   under one, like `/tmp` on macOS). In particular a pattern ending in `/**` allows anything
///   under that canonicalized directory.
///
/// The checks are a snapshot: a file can change between the check and the node opening it. They
/// keep honest configurations honest; they are not a sandbox.
public struct FilePathPolicy: Sendable, Equatable {
    /// The exact text for an empty write allowlist, as in the original.
    public static let writesDisabledMessage =
        "File writes are disabled by configuration (security.allowed_write_paths is empty)"

    /// `security.allowed_file_paths`.
    public let allowedReadPaths: [String]
    /// `security.allowed_write_paths`.
    public let allowedWritePaths: [String]
    /// The absolute directory relative paths and patterns are resolved against (canonicalized when
    /// it exists).
    public let workingDirectory: String

    /// Creates a policy.
    /// - Parameters:
    ///   - allowedReadPaths: `security.allowed_file_paths` (default in the configuration: `["samples/**"]`).
    ///   - allowedWritePaths: `security.allowed_write_paths` (default: `[]`, writes disabled).
    ///   - workingDirectory: the base for relative paths; nil means the process's current directory.
    ///     A relative value is taken relative to the current directory.
    public init(allowedReadPaths: [String], allowedWritePaths: [String], workingDirectory: String? = nil) {
        self.allowedReadPaths = allowedReadPaths
        self.allowedWritePaths = allowedWritePaths
        let current = FileSystemProbe.currentDirectory() ?? "/"
        let base = workingDirectory.map { Self.absolute($0, relativeTo: current) } ?? current
        // Canonical so that the paths we return and the patterns we derive share one spelling.
        self.workingDirectory = (try? FileSystemProbe.canonicalPath(base).get()) ?? base
    }

    /// Checks a path a node will read.
    /// - Returns: the canonical path of the (existing, regular) file.
    /// - Throws: ``FilePathError`` with reason `invalidPath`, `unresolvable`, `outsideAllowedPaths`
    ///   or `notARegularFile`.
    public func checkRead(_ path: String) throws(FilePathError) -> String {
        try Self.checkWellFormed(path)
        let absolute = Self.absolute(path, relativeTo: workingDirectory)
        let canonical: String
        switch FileSystemProbe.canonicalPath(absolute) {
        case .success(let resolved):
            canonical = resolved
        case .failure(let error):
            throw FilePathError(.unresolvable, "Cannot resolve path '\(path)' (looked for '\(absolute)'): \(error.reason)")
        }
        try requireAllowed(
            canonical, by: allowedReadPaths, for: path,
            directories: "allowed directories", setting: "security.allowed_file_paths"
        )
        // After canonicalization there are no symlinks left, so lstat sees the real entry.
        guard FileSystemProbe.entryType(canonical) == .regularFile else {
            throw FilePathError(.notARegularFile, "Path '\(path)' resolves to '\(canonical)' which is not a regular file")
        }
        return canonical
    }

    /// Checks a path a node will create or overwrite.
    /// - Returns: the canonical location that will be written: the canonical parent directory plus
    ///   the file name, or, when the target is an existing symlink, the file it points to.
    /// - Throws: ``FilePathError`` with reason `writesDisabled`, `invalidPath`, `parentTraversal`,
    ///   `missingFileName`, `parentUnresolvable`, `parentNotADirectory`, `danglingSymlink`,
    ///   `notARegularFile` or `outsideAllowedPaths`.
    public func checkWrite(_ path: String) throws(FilePathError) -> String {
        guard !allowedWritePaths.isEmpty else {
            throw FilePathError(.writesDisabled, Self.writesDisabledMessage)
        }
        try Self.checkWellFormed(path)
        let absolute = Self.absolute(path, relativeTo: workingDirectory)
        let components = absolute.split(separator: "/", omittingEmptySubsequences: true)
        // The target does not exist yet, so realpath cannot vouch for it; refuse `..` outright
        // rather than reason about what it would climb out of.
        guard !components.contains("..") else {
            throw FilePathError(.parentTraversal, "Path '\(path)' contains '..' components, which are not allowed for writes")
        }
        guard !absolute.hasSuffix("/"), let name = components.last, name != "." else {
            throw FilePathError(.missingFileName, "Path '\(path)' has no file name")
        }
        let parent = "/" + components.dropLast().joined(separator: "/")

        let canonicalParent: String
        switch FileSystemProbe.canonicalPath(parent) {
        case .success(let resolved):
            canonicalParent = resolved
        case .failure(let error):
            throw FilePathError(
                .parentUnresolvable,
                "Parent directory '\(parent)' of path '\(path)' must exist: \(error.reason)"
            )
        }
        guard FileSystemProbe.entryType(canonicalParent) == .directory else {
            throw FilePathError(
                .parentNotADirectory,
                "Parent '\(parent)' of path '\(path)' resolves to '\(canonicalParent)' which is not a directory"
            )
        }
        var target = Self.joined(canonicalParent, String(name))

        // The writer follows a final symlink when it opens the file, so judge the link's
        // destination, not the link. (The original stopped at the parent, which let an
        // allowed-directory symlink redirect writes anywhere.)
        switch FileSystemProbe.entryType(target) {
        case nil, .regularFile:
            break
        case .symbolicLink:
            switch FileSystemProbe.canonicalPath(target) {
            case .success(let destination):
                guard FileSystemProbe.entryType(destination) == .regularFile else {
                    throw FilePathError(
                        .notARegularFile,
                        "Path '\(path)' resolves to '\(destination)' which is not a regular file"
                    )
                }
                target = destination
            case .failure(let error):
                // A dangling link would create a file wherever it points; refuse it.
                throw FilePathError(
                    .danglingSymlink,
                    "Path '\(path)' is a symbolic link ('\(target)') whose destination cannot be resolved: \(error.reason)"
                )
            }
        case .directory, .other:
            throw FilePathError(.notARegularFile, "Path '\(path)' resolves to '\(target)' which is not a regular file")
        }

        try requireAllowed(
            target, by: allowedWritePaths, for: path,
            directories: "allowed write directories", setting: "security.allowed_write_paths"
        )
        return target
    }

    // MARK: - Helpers

    /// Throws `outsideAllowedPaths` unless one of `patterns` allows `resolved`, the canonical
    /// form of the `path` the caller gave; the message names the allowlist `setting` to change.
    private func requireAllowed(
        _ resolved: String, by patterns: [String], for path: String, directories: String, setting: String
    ) throws(FilePathError) {
        guard Self.anyPattern(patterns, allows: resolved, workingDirectory: workingDirectory) else {
            throw FilePathError(
                .outsideAllowedPaths,
                "Path '\(path)' resolves to '\(resolved)' which is outside \(directories). "
                    + "Configure \(setting) to allow it"
            )
        }
    }

    private static func checkWellFormed(_ path: String) throws(FilePathError) {
        guard !path.isEmpty else { throw FilePathError(.invalidPath, "Path must not be empty") }
        guard !path.utf8.contains(0) else {
            throw FilePathError(.invalidPath, "Path '\(path.replacing("\0", with: "\\0"))' contains a NUL character")
        }
    }

    /// `path` if absolute, else `base/path` (purely textual).
    static func absolute(_ path: String, relativeTo base: String) -> String {
        path.hasPrefix("/") ? path : joined(base, path)
    }

    private static func joined(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Whether some pattern allows `canonical`.
    static func anyPattern(_ patterns: [String], allows canonical: String, workingDirectory: String) -> Bool {
        patterns.contains { pattern in
            if pattern == "**" { return true }
            guard !pattern.isEmpty else { return false }
            let absolutePattern = absolute(pattern, relativeTo: workingDirectory)
            if GlobPattern(absolutePattern).matches(canonical) { return true }
            guard let canonicalPattern = canonicalizingLiteralPrefix(absolutePattern),
                  canonicalPattern != absolutePattern else { return false }
            return GlobPattern(canonicalPattern).matches(canonical)
        }
    }

    /// Rewrites an absolute pattern so its leading wildcard-free directories are canonical:
    /// `/srv/link/**` → `/data/real/**`. Nil when that prefix does not resolve. Resolved at each
    /// check rather than once, so directories created after start-up are honoured.
    static func canonicalizingLiteralPrefix(_ absolutePattern: String) -> String? {
        let components = absolutePattern.split(separator: "/", omittingEmptySubsequences: true)
        let wildcardIndex = components.firstIndex { component in
            component.contains { $0 == "*" || $0 == "?" || $0 == "[" }
        } ?? components.endIndex
        let prefix = "/" + components[..<wildcardIndex].joined(separator: "/")
        guard let canonicalPrefix = try? FileSystemProbe.canonicalPath(prefix).get() else { return nil }
        let rest = components[wildcardIndex...].joined(separator: "/")
        return rest.isEmpty ? canonicalPrefix : joined(canonicalPrefix, rest)
    }
}
