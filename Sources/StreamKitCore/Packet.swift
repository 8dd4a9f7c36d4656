/// The unit of data that flows along a pipeline link.
///
/// Every payload is a value type backed by copy-on-write storage, so fanning a packet
/// out to many consumers copies nothing until one of them mutates it.
public enum Packet: Sendable {
    case audio(AudioFrame)
    case text(String)
    case transcription(Transcription)
    case custom(CustomPacket)
    case binary(BinaryPacket)

    /// The variant's name as the original StreamKit spells it (`Audio`, `Text`, …).
    public var variantName: String {
        switch self {
        case .audio: "Audio"
        case .text: "Text"
        case .transcription: "Transcription"
        case .custom: "Custom"
        case .binary: "Binary"
        }
    }

    /// The packet's metadata, when its variant carries any (text carries none).
    public var metadata: PacketMetadata? {
        switch self {
        case .audio(let frame): frame.metadata
        case .text: nil
        case .transcription(let transcription): transcription.metadata
        case .custom(let custom): custom.metadata
        case .binary(let binary): binary.metadata
        }
    }
}

/// A block of raw audio: interleaved 32-bit float samples (L, R, L, R, …).
public struct AudioFrame: Sendable, Equatable {
    public var sampleRate: Int
    public var channels: Int
    /// Interleaved samples; `samples.count` is a multiple of `channels`.
    public var samples: [Float]
    public var metadata: PacketMetadata?

    public init(sampleRate: Int, channels: Int, samples: [Float], metadata: PacketMetadata? = nil) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.samples = samples
        self.metadata = metadata
    }

    /// Samples per channel.
    public var frameCount: Int { channels > 0 ? samples.count / channels : 0 }

    /// Duration implied by the sample count, in microseconds (nil when the rate is 0).
    public var computedDurationUs: UInt64? {
        guard sampleRate > 0 else { return nil }
        return UInt64(frameCount) * 1_000_000 / UInt64(sampleRate)
    }

    /// The packet's own duration when it carries one, else the one implied by its samples.
    public var durationUs: UInt64? { metadata?.durationUs ?? computedDurationUs }
}

/// Recognised speech: the full text plus timed segments.
public struct Transcription: Sendable, Equatable, Codable {
    public var text: String
    public var segments: [TranscriptionSegment]
    public var language: String?
    public var metadata: PacketMetadata?

    public init(text: String, segments: [TranscriptionSegment] = [], language: String? = nil, metadata: PacketMetadata? = nil) {
        self.text = text
        self.segments = segments
        self.language = language
        self.metadata = metadata
    }
}

/// One timed piece of a transcription.
public struct TranscriptionSegment: Sendable, Equatable, Codable {
    public var text: String
    public var startTimeMs: UInt64
    public var endTimeMs: UInt64
    /// Confidence in 0…1, when the recogniser reports one.
    public var confidence: Float?

    public init(text: String, startTimeMs: UInt64, endTimeMs: UInt64, confidence: Float? = nil) {
        self.text = text
        self.startTimeMs = startTimeMs
        self.endTimeMs = endTimeMs
        self.confidence = confidence
    }

    enum CodingKeys: String, CodingKey {
        case text
        case startTimeMs = "start_time_ms"
        case endTimeMs = "end_time_ms"
        case confidence
    }
}

/// An application-defined JSON payload routed by a namespaced, versioned type id
/// such as `core::telemetry/event@1`.
public struct CustomPacket: Sendable, Equatable {
    public var typeID: String
    public var data: JSONValue
    public var metadata: PacketMetadata?

    public init(typeID: String, data: JSONValue, metadata: PacketMetadata? = nil) {
        self.typeID = typeID
        self.data = data
        self.metadata = metadata
    }
}

/// Opaque bytes (a file chunk, an encoded Opus packet, a JSON line) with an optional MIME type.
public struct BinaryPacket: Sendable, Equatable {
    public var data: [UInt8]
    public var contentType: String?
    public var metadata: PacketMetadata?

    public init(data: [UInt8], contentType: String? = nil, metadata: PacketMetadata? = nil) {
        self.data = data
        self.contentType = contentType
        self.metadata = metadata
    }
}
