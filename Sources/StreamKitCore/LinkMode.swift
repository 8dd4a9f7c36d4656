/// How a link behaves when its consumer is behind.
public enum LinkMode: String, Sendable, Hashable, Codable {
    /// The producer waits for room (backpressure). Nothing is lost.
    case reliable
    /// The packet is dropped (and counted) when the consumer's queue is full; the producer never waits.
    case bestEffort = "best_effort"
}

/// Whether a graph runs once over an input (oneshot) or lives on as a session (dynamic).
public enum PipelineMode: String, Sendable, Hashable, Codable {
    case oneshot
    case dynamic
}
