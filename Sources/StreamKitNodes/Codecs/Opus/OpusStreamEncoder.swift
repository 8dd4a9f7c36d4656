import StreamKitCore

/// Float audio of any rate in, Opus packets out: ``OpusFrameEncoder`` behind the existing
/// resampler. Rates Opus encodes (8, 12, 16, 24, 48 kHz) go straight in; any other rate (44.1 kHz,
/// say) is converted to 48 kHz with the `audio::resampler` code first, so a live output never
/// refuses audio for its rate. Channels: mono stays mono, anything else becomes stereo.
///
/// `@unchecked Sendable`: one owner, one call at a time, on one serial queue (it does codec work).
final class OpusStreamEncoder: @unchecked Sendable {
    let inputRate: Int
    let inputChannels: Int
    private let frames: OpusFrameEncoder
    private var resampler: ResampledStream?

    var head: OpusHead { frames.head }

    init(sampleRate: Int, channels: Int, bitrate: Int, frameDurationMs: Double = 20) throws {
        guard channels > 0 else { throw StreamKitError.invalidData("audio with \(channels) channels cannot be encoded") }
        inputRate = sampleRate
        inputChannels = channels
        let encodedChannels = channels == 1 ? 1 : 2
        let encodedRate = LibOpusEncoder.supportedRates.contains(sampleRate) ? sampleRate : 48_000
        if encodedRate != sampleRate {
            resampler = try ResampledStream(inputRate: sampleRate, inputChannels: channels, outputRate: encodedRate, outputChannels: encodedChannels)
        }
        let encoder = try LibOpusEncoder(sampleRate: encodedRate, channels: encodedChannels, application: .audio, bitrate: bitrate, complexity: 10)
        frames = try OpusFrameEncoder(encoder: encoder, frameDurationMs: frameDurationMs, startUs: 0)
    }

    /// Encodes interleaved samples in the input format; returns the packets they complete.
    func encode(_ samples: [Float]) throws -> [BinaryPacket] {
        try frames.encode([prepare(samples)], final: false)
    }

    /// Pads the last frame and flushes the encoder's delay.
    func finish() throws -> [BinaryPacket] {
        var tail: [AudioFrame] = []
        if var resampler {
            tail.append(AudioFrame(sampleRate: 48_000, channels: frames.encoder.channels, samples: resampler.finish()))
            self.resampler = resampler
        }
        return try frames.encode(tail, final: true)
    }

    private func prepare(_ samples: [Float]) -> AudioFrame {
        guard var resampler else {
            return AudioFrame(sampleRate: inputRate, channels: inputChannels, samples: samples)
        }
        let converted = resampler.process(samples)
        self.resampler = resampler
        return AudioFrame(sampleRate: 48_000, channels: frames.encoder.channels, samples: converted)
    }

    /// 48 kHz samples a packet accounts for (its `duration_us`, else its TOC).
    static func samples48(_ packet: BinaryPacket) -> Int {
        if let durationUs = packet.metadata?.durationUs, durationUs > 0 { return OpusTime.samples(microseconds: durationUs) }
        return OpusPacketInfo.sampleCount(packet.data) ?? 0
    }
}
