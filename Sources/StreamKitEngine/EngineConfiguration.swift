import StreamKitCore

/// Capacities and timings of the engine. Every field has a default; the server reads them from `[engine]`.
public struct EngineConfiguration: Sendable, Equatable {
    /// Packets queued per input pin in dynamic sessions (≈ 2.5 s of 20 ms frames by default).
    public var nodeInputCapacity: Int = 128
    /// Packets queued per input pin in oneshot runs (throughput over latency, but bounded memory).
    public var oneshotInputCapacity: Int = 32
    /// How many queued packets a node may take at once when it works in batches.
    public var packetBatchSize: Int = 32
    /// How often changed node stats are published (at most).
    public var statsInterval: Duration = .seconds(2)
    /// Telemetry events per second per event type per node.
    public var maxTelemetryPerSecond: Int = 100
    /// Events a session subscriber may lag behind before its oldest events are dropped.
    public var subscriberQueueCapacity: Int = 1024
    /// How long a node may take to stop after shutdown is requested before it is cancelled.
    public var nodeShutdownTimeout: Duration = .seconds(2)
    /// How long a tune waits for the node's answer.
    public var tuneReplyTimeout: Duration = .seconds(5)

    public init() {}

    /// The original's named profiles (`low-latency`, `balanced`, `high-throughput`).
    public static func profile(_ name: String) -> EngineConfiguration? {
        var configuration = EngineConfiguration()
        switch name {
        case "low-latency": configuration.nodeInputCapacity = 8
        case "balanced": configuration.nodeInputCapacity = 32
        case "high-throughput": configuration.nodeInputCapacity = 128
        default: return nil
        }
        return configuration
    }
}
