import StreamKitCore

/// One event pushed by the control plane (`{"type":"event","payload":{"event":…}}`).
public struct ControlEvent: Sendable, Equatable {
    /// `payload.event`: `sessioncreated`, `nodestatechanged`, `nodeparamschanged`, ….
    public var name: String
    /// `payload.session_id`, when the event concerns a session.
    public var sessionID: String?
    /// `payload.node_id`, when the event concerns a node.
    public var nodeID: String?
    /// The whole payload.
    public var payload: JSONValue
    /// The message exactly as the server sent it (for `--json` output).
    public var rawText: String

    public init(payload: JSONValue, rawText: String) {
        self.payload = payload
        self.rawText = rawText
        name = payload["event"]?.stringValue ?? "unknown"
        sessionID = payload["session_id"]?.stringValue
        nodeID = payload["node_id"]?.stringValue
    }

    /// A readable one-line summary: `3f2a9c1b gain: params {"gain":1.5}`.
    public var summary: String {
        let session = sessionID.map { String($0.prefix(8)) + " " } ?? ""
        let node = nodeID.map { "\($0): " } ?? ""
        func text(_ key: String) -> String {
            guard let value = payload[key] else { return "?" }
            return value.stringValue ?? value.jsonString()
        }
        switch name {
        case "sessioncreated":
            let named = payload["name"]?.stringValue.map { " '\($0)'" } ?? ""
            return "session created \(sessionID ?? "?")\(named)"
        case "sessiondestroyed":
            return "session destroyed \(sessionID ?? "?")"
        case "nodeadded":
            let params = payload["params"].flatMap { $0.isNull ? nil : " " + $0.jsonString() } ?? ""
            return "\(session)\(node)added (\(text("kind")))\(params)"
        case "noderemoved":
            return "\(session)\(node)removed"
        case "connectionadded", "connectionremoved":
            let verb = name == "connectionadded" ? "connected" : "disconnected"
            return "\(session)\(verb) \(text("from_node")).\(text("from_pin")) -> \(text("to_node")).\(text("to_pin"))"
        case "nodeparamschanged":
            return "\(session)\(node)params \(payload["params"]?.jsonString() ?? "null")"
        case "nodestatechanged":
            return "\(session)\(node)state \(payload["state"].map(RemoteNode.describeState) ?? "?")"
        case "nodestatsupdated":
            let stats = RemoteNode(id: nodeID ?? "", kind: "", params: .null, state: nil, stats: payload["stats"]).statsText
            return "\(session)\(node)stats \(stats)"
        case "nodetelemetry":
            var data = payload["data"]?.jsonString() ?? "null"
            if data.count > 160 { data = String(data.prefix(160)) + "…" }
            return "\(session)\(node)telemetry \(text("type_id")) \(data)"
        case "eventsdropped":
            return "dropped \(text("count")) events (this client fell behind)"
        default:
            var rest = payload.objectValue ?? JSONObject()
            rest["event"] = nil
            rest["session_id"] = nil
            rest["node_id"] = nil
            return "\(session)\(node)\(name) \(JSONValue.object(rest).jsonString())"
        }
    }
}
