/// Timing and ordering information a packet may carry.
///
/// All fields are optional: sources that do not know a value leave it out.
public struct PacketMetadata: Sendable, Hashable, Codable {
    /// Absolute presentation time in microseconds.
    public var timestampUs: UInt64?
    /// Duration of the packet in microseconds.
    public var durationUs: UInt64?
    /// Monotonically increasing number for ordering and loss detection.
    public var sequence: UInt64?

    public init(timestampUs: UInt64? = nil, durationUs: UInt64? = nil, sequence: UInt64? = nil) {
        self.timestampUs = timestampUs
        self.durationUs = durationUs
        self.sequence = sequence
    }

    enum CodingKeys: String, CodingKey {
        case timestampUs = "timestamp_us"
        case durationUs = "duration_us"
        case sequence
    }
}
