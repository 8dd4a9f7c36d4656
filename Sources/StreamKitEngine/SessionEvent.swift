import StreamKitCore

/// Something that happened in a dynamic session. The server forwards these to WebSocket clients.
public enum SessionEvent: Sendable {
    case nodeAdded(node: String, kind: String, params: JSONValue)
    case nodeRemoved(node: String)
    case linkAdded(LinkID, mode: LinkMode)
    case linkRemoved(LinkID)
    case paramsChanged(node: String, params: JSONValue)
    case nodeStateChanged(node: String, state: NodeState)
    case nodeStatsUpdated(node: String, stats: NodeStats)
    case telemetry(TelemetryEvent)
    /// The session has stopped; no events follow.
    case sessionStopped
}

/// Why a session operation was refused.
public struct SessionError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable {
        /// A node or link named in the request does not exist.
        case notFound = "not_found"
        /// The request is malformed or would break the graph (bad kind, params, pin, type).
        case invalid = "invalid"
        /// A name is already taken, or the link already exists.
        case conflict = "conflict"
        /// The session has stopped.
        case stopped = "stopped"
        /// The node did not answer in time.
        case timeout = "timeout"
    }

    public var code: Code
    public var message: String
    public var node: String?
    /// Every problem, when there were several (a pipeline document).
    public var issues: [PipelineIssue]

    public init(_ code: Code, _ message: String, node: String? = nil, issues: [PipelineIssue] = []) {
        self.code = code
        self.message = message
        self.node = node
        self.issues = issues
    }

    public var description: String { message }
}

/// A session's graph as it stands, with each node's state and counters.
public struct SessionSnapshot: Sendable {
    public var id: String
    public var name: String?
    public var pipeline: PipelineDocument
    public var states: [String: NodeState]
    public var stats: [String: NodeStats]
}
