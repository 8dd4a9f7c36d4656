import StreamKitCore

/// A libopus encoder plus the samples waiting for a full frame: cuts audio of any frame size into
/// Opus frames, pads and flushes the encoder's delay at the end, and stamps packet timing.
/// Shared by `audio::opus::encoder`, `transport::websocket::output` and ``OggOpusAudioEncoder``.
///
/// `@unchecked Sendable`: only its owner uses it, one call at a time, on one serial queue.
final class OpusFrameEncoder: @unchecked Sendable {
    let encoder: LibOpusEncoder
    let head: OpusHead
    private let frameSamples: Int
    private let rate: Int
    /// 48 kHz samples per input sample (Opus input rates all divide 48 kHz).
    private let upsample: Int
    private var pending: [Float] = []
    private var pendingStart = 0
    /// Real input samples (per channel) taken so far.
    private var inputSamples = 0
    /// Frames encoded so far.
    private var encodedFrames = 0
    private let startUs: UInt64
    private var sequence: UInt64 = 0

    init(encoder: LibOpusEncoder, frameDurationMs: Double, startUs: UInt64) throws {
        self.encoder = encoder
        rate = encoder.sampleRate
        upsample = 48_000 / encoder.sampleRate
        frameSamples = Int((frameDurationMs * Double(encoder.sampleRate) / 1000).rounded())
        self.startUs = startUs
        head = OpusHead(channels: encoder.channels, preSkip: encoder.preSkip, inputSampleRate: encoder.sampleRate)
    }

    func encode(_ frames: [AudioFrame], final: Bool) throws -> [BinaryPacket] {
        let channels = encoder.channels
        for frame in frames {
            guard frame.sampleRate == rate else {
                throw StreamKitError.invalidData("audio::opus::encoder: the sample rate changed mid-stream from \(rate) Hz to \(frame.sampleRate) Hz (put an audio::resampler before the encoder)")
            }
            Self.append(frame, channels: channels, to: &pending)
            inputSamples += frame.frameCount
        }
        var packets: [BinaryPacket] = []
        let frameValues = frameSamples * channels
        while pending.count - pendingStart >= frameValues {
            packets.append(try encodeFrame(at: pendingStart, final: false))
            pendingStart += frameValues
        }
        if final {
            // Pad with silence until the encoder's delay is flushed too: the stream must reach
            // pre-skip + input samples (in 48 kHz units), which is where the last packet ends.
            let end48 = inputSamples * upsample + head.preSkip
            while encodedFrames * frameSamples * upsample < end48 {
                let missing = frameValues - (pending.count - pendingStart)
                if missing > 0 { pending += repeatElement(0, count: missing) }
                packets.append(try encodeFrame(at: pendingStart, final: true))
                pendingStart += frameValues
            }
        }
        if pendingStart > 0 {
            pending.removeFirst(pendingStart)
            pendingStart = 0
        }
        return packets
    }

    private func encodeFrame(at offset: Int, final: Bool) throws -> BinaryPacket {
        let data = try pending.withUnsafeBufferPointer { buffer in
            try encoder.encode(UnsafeBufferPointer(rebasing: buffer[offset..<offset + frameSamples * encoder.channels]), frameSamples: frameSamples)
        }
        let frame48 = frameSamples * upsample
        let start48 = encodedFrames * frame48
        var duration48 = frame48
        if final {
            // Only the part up to the real end counts (end trimming).
            duration48 = max(1, min(frame48, inputSamples * upsample + head.preSkip - start48))
        }
        encodedFrames += 1
        sequence += 1
        let metadata = PacketMetadata(
            // Presentation time of the packet's first sample: the encoder delay (pre-skip) comes first.
            timestampUs: startUs + OpusTime.microseconds(samples: start48 - head.preSkip),
            durationUs: OpusTime.microseconds(samples: duration48),
            sequence: sequence
        )
        return BinaryPacket(data: data, contentType: "audio/opus", metadata: metadata)
    }

    /// Appends a frame's samples converted to `channels` (mono duplicated, or channels averaged).
    private static func append(_ frame: AudioFrame, channels: Int, to pending: inout [Float]) {
        let source = frame.channels
        if source == channels {
            pending += frame.samples
            return
        }
        let count = frame.frameCount
        pending.reserveCapacity(pending.count + count * channels)
        frame.samples.withUnsafeBufferPointer { samples in
            for index in 0..<count {
                let base = index * source
                if channels == 1 {
                    var sum: Float = 0
                    for channel in 0..<source { sum += samples[base + channel] }
                    pending.append(sum / Float(source))
                } else if source == 1 {
                    pending.append(samples[base])
                    pending.append(samples[base])
                } else {
                    pending.append(samples[base])
                    pending.append(samples[base + 1])
                }
            }
        }
    }
}
