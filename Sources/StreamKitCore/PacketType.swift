/// Sample formats raw audio may be declared with. Frames are always `Float` at run time;
/// `s16le` exists so that pin declarations written for the original still read.
public enum SampleFormat: String, Sendable, Hashable, Codable {
    case f32 = "F32"
    case s16le = "S16Le"
}

/// The shape of raw audio a pin produces or accepts. `0` means "any" for rate and channels.
public struct AudioFormat: Sendable, Hashable, Codable {
    public var sampleRate: Int
    public var channels: Int
    public var sampleFormat: SampleFormat

    public init(sampleRate: Int = 0, channels: Int = 0, sampleFormat: SampleFormat = .f32) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.sampleFormat = sampleFormat
    }

    /// Any rate, any channel count, float samples.
    public static let anyF32 = AudioFormat()

    enum CodingKeys: String, CodingKey {
        case sampleRate = "sample_rate"
        case channels
        case sampleFormat = "sample_format"
    }
}

/// The type of packets a pin produces or accepts, used to check links before anything runs.
public enum PacketType: Sendable, Hashable {
    case rawAudio(AudioFormat)
    case opusAudio
    case text
    case transcription
    case custom(typeID: String)
    case binary
    /// Matches every type (on inputs: accepts anything; on outputs: connects anywhere).
    case any
    /// On an output: "the same type as my input", resolved when the graph is built.
    case passthrough

    /// Raw float audio of any rate and channel count.
    public static let anyRawAudio = PacketType.rawAudio(.anyF32)

    /// The variant id the original uses in JSON and in the packet-type registry.
    public var id: String {
        switch self {
        case .rawAudio: "RawAudio"
        case .opusAudio: "OpusAudio"
        case .text: "Text"
        case .transcription: "Transcription"
        case .custom: "Custom"
        case .binary: "Binary"
        case .any: "Any"
        case .passthrough: "Passthrough"
        }
    }

    /// Whether packets of type `output` may flow into a pin accepting `input`.
    ///
    /// The original's rule: `Any` on either side matches; otherwise the variants must be
    /// equal; raw audio matches when each of rate and channels is equal or 0 on either side
    /// (sample format must be equal); custom types need the same type id. `Passthrough`
    /// matches nothing here: it has to be resolved to a concrete type first.
    public static func canConnect(output: PacketType, input: PacketType) -> Bool {
        switch (output, input) {
        case (.any, _), (_, .any):
            return true
        case (.rawAudio(let out), .rawAudio(let inp)):
            return (out.sampleRate == 0 || inp.sampleRate == 0 || out.sampleRate == inp.sampleRate)
                && (out.channels == 0 || inp.channels == 0 || out.channels == inp.channels)
                && out.sampleFormat == inp.sampleFormat
        case (.custom(let out), .custom(let inp)):
            return out == inp
        case (.opusAudio, .opusAudio), (.text, .text), (.transcription, .transcription), (.binary, .binary):
            return true
        default:
            return false
        }
    }

    /// Whether `output` can connect to at least one of the types an input pin accepts.
    public static func canConnect(output: PacketType, toAnyOf inputs: [PacketType]) -> Bool {
        inputs.contains { canConnect(output: output, input: $0) }
    }
}

extension PacketType: CustomStringConvertible {
    /// A short form for people: `RawAudio(48000 Hz, 1 ch, F32)`, `RawAudio(* Hz, * ch, F32)`, `Custom(core::x@1)`.
    public var description: String {
        switch self {
        case .rawAudio(let format):
            let rate = format.sampleRate == 0 ? "*" : String(format.sampleRate)
            let channels = format.channels == 0 ? "*" : String(format.channels)
            return "RawAudio(\(rate) Hz, \(channels) ch, \(format.sampleFormat.rawValue))"
        case .custom(let typeID):
            return "Custom(\(typeID))"
        default:
            return id
        }
    }
}

extension PacketType: Codable {
    // JSON forms follow the original (externally tagged): "Text", {"RawAudio": {...}}, {"Custom": {"type_id": "..."}}.
    private struct CustomPayload: Codable {
        var typeID: String
        enum CodingKeys: String, CodingKey { case typeID = "type_id" }
    }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            switch name {
            case "OpusAudio": self = .opusAudio
            case "Text": self = .text
            case "Transcription": self = .transcription
            case "Binary": self = .binary
            case "Any": self = .any
            case "Passthrough": self = .passthrough
            case "RawAudio": self = .anyRawAudio
            default:
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown packet type '\(name)'"))
            }
            return
        }
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        if let key = container.allKeys.first(where: { $0.stringValue == "RawAudio" }) {
            self = .rawAudio(try container.decode(AudioFormat.self, forKey: key))
        } else if let key = container.allKeys.first(where: { $0.stringValue == "Custom" }) {
            self = .custom(typeID: try container.decode(CustomPayload.self, forKey: key).typeID)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown packet type object"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .rawAudio(let format):
            var container = encoder.container(keyedBy: AnyCodingKey.self)
            try container.encode(format, forKey: AnyCodingKey("RawAudio"))
        case .custom(let typeID):
            var container = encoder.container(keyedBy: AnyCodingKey.self)
            try container.encode(CustomPayload(typeID: typeID), forKey: AnyCodingKey("Custom"))
        default:
            var container = encoder.singleValueContainer()
            try container.encode(id)
        }
    }
}
