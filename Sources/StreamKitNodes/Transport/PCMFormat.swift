import StreamKitCore

/// The PCM layout on a media socket: interleaved little-endian samples.
public struct PCMFormat: Sendable, Equatable {
    public enum SampleFormat: String, Sendable {
        case f32le, s16le
        /// Bytes of one sample of one channel.
        public var bytesPerSample: Int { self == .f32le ? 4 : 2 }
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
        // Socket buffers are contiguous; the copy is only for other collections.
        if let samples = bytes.withContiguousStorageIfAvailable({ decode(contiguous: $0) }) { return samples }
        return Array(bytes).withUnsafeBufferPointer { decode(contiguous: $0) }
    }

    private func decode(contiguous bytes: UnsafeBufferPointer<UInt8>) -> [Float] {
        let width = sampleFormat.bytesPerSample
        let count = bytes.count / width
        let isFloat = sampleFormat == .f32le
        return [Float](unsafeUninitializedCapacity: count) { samples, initialized in
            for i in 0..<count {
                let o = i * width
                if isFloat {
                    let bits = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
                    samples[i] = Float(bitPattern: bits)
                } else {
                    samples[i] = Float(Int16(bitPattern: UInt16(bytes[o]) | UInt16(bytes[o + 1]) << 8)) / 32768
                }
            }
            initialized = count
        }
    }

    /// Encodes float samples for a binary message.
    public func encode(_ samples: [Float]) -> [UInt8] {
        let width = sampleFormat.bytesPerSample
        let isFloat = sampleFormat == .f32le
        // Written in place: one allocation per message, not one per sample (this runs for every
        // frame of every live client).
        return [UInt8](unsafeUninitializedCapacity: samples.count * width) { bytes, initialized in
            samples.withUnsafeBufferPointer { samples in
                for (i, sample) in samples.enumerated() {
                    let o = i * width
                    if isFloat {
                        let bits = sample.bitPattern
                        bytes[o] = UInt8(truncatingIfNeeded: bits)
                        bytes[o + 1] = UInt8(truncatingIfNeeded: bits >> 8)
                        bytes[o + 2] = UInt8(truncatingIfNeeded: bits >> 16)
                        bytes[o + 3] = UInt8(truncatingIfNeeded: bits >> 24)
                    } else {
                        let bits = UInt16(bitPattern: Int16(max(-32768, min(32767, (sample * 32768).rounded()))))
                        bytes[o] = UInt8(truncatingIfNeeded: bits)
                        bytes[o + 1] = UInt8(truncatingIfNeeded: bits >> 8)
                    }
                }
            }
            initialized = samples.count * width
        }
    }
}
