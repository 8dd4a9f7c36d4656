import StreamKitCore

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
