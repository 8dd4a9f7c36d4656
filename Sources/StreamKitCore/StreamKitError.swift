/// Errors raised by nodes and the engine, by category (the original's display prefixes kept).
public enum StreamKitError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Bad parameters or a pipeline that cannot be built.
    case configuration(String)
    /// Something went wrong while running.
    case runtime(String)
    /// Input bytes that are not what they claim to be.
    case invalidData(String)
    /// A codec refused data.
    case codec(String)
    /// File or stream I/O failed.
    case io(String)
    /// A plugin misbehaved.
    case plugin(String)
    /// A limit was hit.
    case resourceExhausted(String)

    public var description: String {
        switch self {
        case .configuration(let message): "Configuration error: \(message)"
        case .runtime(let message): message
        case .invalidData(let message): "Invalid data: \(message)"
        case .codec(let message): "Codec error: \(message)"
        case .io(let message): "I/O error: \(message)"
        case .plugin(let message): "Plugin error: \(message)"
        case .resourceExhausted(let message): "Resource exhaustion: \(message)"
        }
    }
}

/// Thrown from `NodeContext` sends and receives when the node must stop now
/// (shutdown requested, every consumer gone, or the task cancelled).
public struct NodeStopRequested: Error, Sendable, CustomStringConvertible {
    public var reason: StopReason
    public init(reason: StopReason) { self.reason = reason }
    public var description: String { "node stopped: \(reason)" }
}
