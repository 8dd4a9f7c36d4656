import Foundation
import StreamKitCore

/// A live dynamic session as the server lists it (`SessionInfo`: `{id, name?, created_at}`).
public struct RemoteSession: Sendable, Equatable {
    public var id: String
    public var name: String?
    /// RFC 3339 UTC creation time, as the server sent it.
    public var createdAt: String

    public init(id: String, name: String?, createdAt: String) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }

    /// Reads `{id, name?, created_at}` (or `session_id` instead of `id`, as create answers).
    init(json: JSONValue) throws(StreamKitClientError) {
        guard let id = json["id"]?.stringValue ?? json["session_id"]?.stringValue else {
            throw .unexpectedResponse("a session without an id: \(json.jsonString())")
        }
        self.init(id: id, name: json["name"]?.stringValue, createdAt: json["created_at"]?.stringValue ?? "")
    }
}

/// One node of a session's pipeline, with its live state and counters when the server knows them.
public struct RemoteNode: Sendable, Equatable {
    public var id: String
    public var kind: String
    public var params: JSONValue
    /// `NodeState` JSON (`"Running"`, `{"Failed":{"reason":…}}`, …), nil when unknown.
    public var state: JSONValue?
    /// `NodeStats` JSON (`{received, sent, discarded, errored, duration_secs}`), nil when none yet.
    public var stats: JSONValue?

    /// The state as one short phrase: `Running`, `Failed: no input`, `Stopped (completed)`.
    public var stateText: String { state.map(Self.describeState) ?? "unknown" }

    /// The counters as one short phrase: `recv 120 sent 120 disc 0 err 0 (2.4 s)`, or `-`.
    public var statsText: String {
        guard let stats else { return "-" }
        func count(_ key: String) -> String { stats[key]?.intValue.map(String.init) ?? "0" }
        var text = "recv \(count("received")) sent \(count("sent")) disc \(count("discarded")) err \(count("errored"))"
        if let seconds = stats["duration_secs"]?.doubleValue {
            text += " (" + formatSeconds(seconds) + ")"
        }
        return text
    }

    /// Renders the externally tagged `NodeState` JSON in words.
    public static func describeState(_ state: JSONValue) -> String {
        if let name = state.stringValue { return name }
        guard let object = state.objectValue, let first = object.first(where: { _ in true }) else {
            return state.jsonString()
        }
        let name = first.key
        let body = first.value
        switch body {
        case .object(let fields):
            if let reason = fields["reason"] {
                let text = reason.stringValue ?? reason.jsonString()
                return name == "Stopped" ? "\(name) (\(text))" : "\(name): \(text)"
            }
            return "\(name) \(body.jsonString())"
        default:
            return "\(name) \(body.jsonString())"
        }
    }
}

/// A session's pipeline (`GET /api/v1/sessions/{id}/pipeline`): nodes in order and their connections.
public struct RemotePipeline: Sendable, Equatable {
    /// One connection `from_node.from_pin → to_node.to_pin`.
    public struct Connection: Sendable, Equatable, CustomStringConvertible {
        public var fromNode: String
        public var fromPin: String
        public var toNode: String
        public var toPin: String
        /// `reliable` unless the server said otherwise.
        public var mode: String

        public var description: String {
            "\(fromNode).\(fromPin) -> \(toNode).\(toPin)" + (mode == "reliable" ? "" : " [\(mode)]")
        }
    }

    public var name: String?
    public var nodes: [RemoteNode]
    public var connections: [Connection]
    /// The whole answer, for `--json` output and fields this type does not model.
    public var json: JSONValue

    /// The node with id `id`.
    public func node(_ id: String) -> RemoteNode? { nodes.first { $0.id == id } }

    init(json: JSONValue) throws(StreamKitClientError) {
        guard let nodes = json["nodes"]?.objectValue else {
            throw .unexpectedResponse("a pipeline without a `nodes` object: \(json.jsonString())")
        }
        self.json = json
        name = json["name"]?.stringValue
        self.nodes = nodes.map { entry in
            RemoteNode(
                id: entry.key, kind: entry.value["kind"]?.stringValue ?? "?",
                params: entry.value["params"] ?? .null,
                state: entry.value["state"], stats: entry.value["stats"]
            )
        }
        connections = (json["connections"]?.arrayValue ?? []).compactMap { item in
            guard let from = item["from_node"]?.stringValue, let to = item["to_node"]?.stringValue else { return nil }
            return Connection(
                fromNode: from, fromPin: item["from_pin"]?.stringValue ?? "out",
                toNode: to, toPin: item["to_pin"]?.stringValue ?? "in",
                mode: item["mode"]?.stringValue ?? "reliable"
            )
        }
    }
}

/// A node kind the server offers (`NodeDefinition`), with the full JSON kept for `--json`.
public struct RemoteNodeKind: Sendable, Equatable {
    public var kind: String
    public var description: String?
    public var categories: [String]
    public var json: JSONValue

    init(json: JSONValue) throws(StreamKitClientError) {
        guard let kind = json["kind"]?.stringValue else {
            throw .unexpectedResponse("a node definition without a kind: \(json.jsonString())")
        }
        self.kind = kind
        description = json["description"]?.stringValue
        categories = (json["categories"]?.arrayValue ?? []).compactMap(\.stringValue)
        self.json = json
    }
}

/// The caller's role and permission flags (`GET /api/v1/permissions`).
public struct RemotePermissions: Sendable, Equatable {
    public var role: String
    /// Flag name → allowed, in the server's order.
    public var flags: [(name: String, allowed: Bool)]

    public static func == (lhs: RemotePermissions, rhs: RemotePermissions) -> Bool {
        lhs.role == rhs.role && lhs.flags.map(\.name) == rhs.flags.map(\.name) && lhs.flags.map(\.allowed) == rhs.flags.map(\.allowed)
    }

    /// Whether `name` (`create_sessions`, …) is granted.
    public func allows(_ name: String) -> Bool { flags.first { $0.name == name }?.allowed ?? false }
}

/// A loaded plugin (`PluginSummary`).
public struct RemotePlugin: Sendable, Equatable {
    public var kind: String
    public var fileName: String?
    public var pluginType: String?
    public var categories: [String]
    public var json: JSONValue

    init(json: JSONValue) throws(StreamKitClientError) {
        guard let kind = json["kind"]?.stringValue else {
            throw .unexpectedResponse("a plugin summary without a kind: \(json.jsonString())")
        }
        self.kind = kind
        fileName = json["file_name"]?.stringValue
        pluginType = json["plugin_type"]?.stringValue
        categories = (json["categories"]?.arrayValue ?? []).compactMap(\.stringValue)
        self.json = json
    }
}

/// `1.25 s`, `350 ms`, `2 min 5 s`.
func formatSeconds(_ seconds: Double) -> String {
    if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
    if seconds < 120 { return String(format: "%.1f s", seconds) }
    let whole = Int(seconds.rounded())
    return "\(whole / 60) min \(whole % 60) s"
}
