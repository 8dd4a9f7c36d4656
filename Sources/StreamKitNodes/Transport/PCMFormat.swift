import StreamKitCore

/// The PCM layout on a media socket: interleaved little-endian samples.
public struct PCMFormat: Sendable, Equatable {
    public enum SampleFormat: String, Sendable {
        case f32le, s16le
        var bytesPerSample: Int { self == .f32le ? 4 : 2 }
    }

    public var sampleRate: Int
    public var channels: Int
    public var sampleFormat: SampleFormat

    public init(sampleRate: Int, channels: Int, sampleFormat: SampleFormat = .f32le) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.sampleFormat = sampleFormat
    }

    /// The announcement a socket sends first:
    /// `{"type":"format","encoding":"pcm","sample_rate":…,"channels":…,"sample_format":"f32le"}`.
    public var json: JSONValue {
        [
            "type": "format", "encoding": "pcm", "sample_rate": .number(Double(sampleRate)), "channels": .number(Double(channels)),
            "sample_format": .string(sampleFormat.rawValue),
        ]
    }

    /// Reads an announcement; missing fields keep the values of `base`. Nil when it makes no sense.
    public static func parse(_ json: JSONValue, base: PCMFormat) -> PCMFormat? {
        var format = base
        if let rate = json["sample_rate"]?.intValue { format.sampleRate = rate }
        if let channels = json["channels"]?.intValue { format.channels = channels }
        if let name = json["sample_format"]?.stringValue {
            guard let sampleFormat = SampleFormat(rawValue: name) else { return nil }
            format.sampleFormat = sampleFormat
        }
        guard (1_000...384_000).contains(format.sampleRate), (1...8).contains(format.channels) else { return nil }
        return format
    }

    /// Decodes one binary message into float samples (a trailing partial sample is ignored).
    public func decode(_ bytes: some Collection<UInt8>) -> [Float] {
        let width = sampleFormat.bytesPerSample
        let count = bytes.count / width
        var samples = [Float](repeating: 0, count: count)
        var index = bytes.startIndex
        for i in 0..<count {
            var bits: UInt32 = 0
            for b in 0..<width {
                bits |= UInt32(bytes[index]) << (8 * UInt32(b))
                index = bytes.index(after: index)
            }
            samples[i] = sampleFormat == .f32le ? Float(bitPattern: bits) : Float(Int16(truncatingIfNeeded: bits)) / 32768
        }
        return samples
    }

    /// Encodes float samples for a binary message.
    public func encode(_ samples: [Float]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(samples.count * sampleFormat.bytesPerSample)
        for sample in samples {
            switch sampleFormat {
            case .f32le:
                let bits = sample.bitPattern
                bytes += [UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8), UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 24)]
            case .s16le:
                let value = Int16(max(-32768, min(32767, (sample * 32768).rounded())))
                let bits = UInt16(bitPattern: value)
                bytes += [UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8)]
            }
        }
        return bytes
    }
}
