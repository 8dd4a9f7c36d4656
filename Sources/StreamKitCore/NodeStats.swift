/// Packet counters of one node, as reported to clients.
public struct NodeStats: Sendable, Hashable {
    /// Packets taken from the node's inputs.
    public var received: UInt64 = 0
    /// Packets the node sent (counted once per send, whatever the fan-out).
    public var sent: UInt64 = 0
    /// Packets dropped on purpose (unconnected output, best-effort link full, filtered out).
    public var discarded: UInt64 = 0
    /// Packets or operations that failed (bad data, rejected parameter updates).
    public var errored: UInt64 = 0
    /// Seconds since the node started.
    public var durationSeconds: Double = 0

    public init(received: UInt64 = 0, sent: UInt64 = 0, discarded: UInt64 = 0, errored: UInt64 = 0, durationSeconds: Double = 0) {
        self.received = received
        self.sent = sent
        self.discarded = discarded
        self.errored = errored
        self.durationSeconds = durationSeconds
    }

    /// Whether the counters (not the clock) differ.
    public func countersDiffer(from other: NodeStats) -> Bool {
        received != other.received || sent != other.sent || discarded != other.discarded || errored != other.errored
    }

    /// The original's JSON form.
    public var json: JSONValue {
        [
            "received": .number(Double(received)), "sent": .number(Double(sent)),
            "discarded": .number(Double(discarded)), "errored": .number(Double(errored)),
            "duration_secs": .number(durationSeconds),
        ]
    }
}
