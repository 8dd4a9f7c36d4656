/// Where a running node's inputs come from, as its context sees them.
///
/// The engine's `NodeInbox` is the implementation (bounded per-pin queues with backpressure);
/// Core names only what a node needs, so that nodes and plugins depend on the vocabulary and
/// not on how the engine schedules packets.
public protocol NodeInputSource: Sendable {
    /// The next input: a packet, an ended pin, a parameter update, or `.timeout`. Nil once every
    /// input has ended, on shutdown, or when the task is cancelled.
    func next(skipping: Set<String>, timeout: Duration?) async -> NodeInput?
    /// The next input if one is ready now, without waiting.
    func nextIfReady() -> NodeInput?
    /// A pending parameter update, without waiting.
    func takeParamsUpdate() -> ParamsUpdate?
    /// Names of the input pins, in the order they were added.
    var pinNames: [String] { get }
    /// Whether the engine asked the node to stop.
    var isShutdownRequested: Bool { get }
}
