/// Where a node is in its life. JSON forms follow the original (externally tagged):
/// `"Running"`, `{"Failed": {"reason": "…"}}`, `{"Degraded": {"reason": "…", "details": …}}`.
public enum NodeState: Sendable, Hashable {
    case initializing
    /// Created and wired, waiting to be started (sources wait for a connected output).
    case ready
    case running
    case recovering(reason: String, details: JSONValue? = nil)
    case degraded(reason: String, details: JSONValue? = nil)
    case failed(reason: String)
    case stopped(reason: StopReason)

    /// The state's name: `initializing`, `running`, `failed`, …
    public var name: String {
        switch self {
        case .initializing: "initializing"
        case .ready: "ready"
        case .running: "running"
        case .recovering: "recovering"
        case .degraded: "degraded"
        case .failed: "failed"
        case .stopped: "stopped"
        }
    }

    /// Whether the node has ended (stopped or failed).
    public var isFinal: Bool {
        switch self {
        case .failed, .stopped: true
        default: false
        }
    }

    /// The original's JSON form.
    public var json: JSONValue {
        switch self {
        case .initializing: return "Initializing"
        case .ready: return "Ready"
        case .running: return "Running"
        case .recovering(let reason, let details):
            var body: JSONObject = ["reason": .string(reason)]
            if let details { body["details"] = details }
            return ["Recovering": .object(body)]
        case .degraded(let reason, let details):
            var body: JSONObject = ["reason": .string(reason)]
            if let details { body["details"] = details }
            return ["Degraded": .object(body)]
        case .failed(let reason): return ["Failed": ["reason": .string(reason)]]
        case .stopped(let reason): return ["Stopped": ["reason": .string(reason.rawValue)]]
        }
    }
}

/// Why a node stopped. Open-ended (a struct around a string) so nodes can name their own reasons.
public struct StopReason: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// A source finished its work.
    public static let completed = StopReason(rawValue: "completed")
    /// Every input reached end of stream.
    public static let inputClosed = StopReason(rawValue: "input_closed")
    /// Every consumer went away.
    public static let outputClosed = StopReason(rawValue: "output_closed")
    /// The session or the engine asked the node to stop.
    public static let shutdown = StopReason(rawValue: "shutdown")
    /// The node has no connected inputs.
    public static let noInputs = StopReason(rawValue: "no_inputs")
}
