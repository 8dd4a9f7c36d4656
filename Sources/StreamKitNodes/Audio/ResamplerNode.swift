import StreamKitCore

/// `audio::resampler`: converts audio to a target sample rate (band-limited windowed sinc),
/// optionally to a target channel count, and re-frames it into fixed-size frames.
///
/// Unlike the original, a format change mid-stream does not fail the node: the old stream is
/// flushed and a new resampler takes over.
struct ResamplerNode: DefinedNode {
    static let allowedFrameSizes = [0, 120, 240, 480, 960, 1920, 2880]

    static let definition = NodeDefinition(
        kind: "audio::resampler",
        description: "Converts audio to a target sample rate (and optionally channel count) and re-frames it.",
        categories: ["audio", "filters"],
        paramSchema: Schema.object([
            ("target_sample_rate", Schema.integer("Output sample rate in Hz.", minimum: 1, maximum: 768_000)),
            ("channels", Schema.integer("Output channel count (absent or 0: keep the input's).", default: 0, minimum: 0, maximum: 64)),
            ("chunk_frames", Schema.integer("Accepted for compatibility; the resampler streams any input size.", default: 960, minimum: 1)),
            ("output_frame_size", .object([
                "type": "integer", "enum": .array(allowedFrameSizes.map { .number(Double($0)) }), "default": 960,
                "description": "Frames per channel in each output frame (0: emit as produced).",
            ])),
        ], required: ["target_sample_rate"]),
        inputs: [InputPin(name: "in", accepts: [.anyRawAudio])],
        outputs: [OutputPin(name: "out", produces: .anyRawAudio)],
        factory: { params in ResamplerNode(params: params) }
    )

    var targetRate: Int
    var targetChannels: Int
    var outputFrameSize: Int

    init(params: JSONValue) {
        targetRate = params.integer("target_sample_rate", or: 48000)
        targetChannels = params.integer("channels", or: 0)
        outputFrameSize = params.integer("output_frame_size", or: 960)
    }

    var outputPins: [OutputPin] {
        [OutputPin(name: "out", produces: .rawAudio(AudioFormat(sampleRate: targetRate, channels: targetChannels)))]
    }

    /// Input frames resampled at a time when a frame is longer (about 100 ms at 48 kHz).
    static let sliceFrames = 4096

    func run(context: NodeContext) async throws {
        var stream: ResampledStream?
        var framer = Reframer(frameSize: outputFrameSize, sampleRate: targetRate)
        while let packet = await context.nextPacket(refusingUpdates: "audio::resampler parameters cannot be changed while it runs") {
            switch packet {
            case .audio(let frame):
                guard frame.channels > 0, frame.sampleRate > 0 else {
                    context.countErrored()
                    continue
                }
                let channels = targetChannels > 0 ? targetChannels : frame.channels
                if let current = stream, current.inputRate != frame.sampleRate || current.inputChannels != frame.channels {
                    var old = current
                    for out in framer.push(old.finish(), channels: old.outputChannels, flushing: true) {
                        try await context.send(.audio(out))
                    }
                    stream = nil
                }
                if stream == nil {
                    stream = try ResampledStream(inputRate: frame.sampleRate, inputChannels: frame.channels, outputRate: targetRate, outputChannels: channels)
                    framer.startTimestamp(frame.metadata?.timestampUs)
                }
                guard var active = stream else { continue }
                // A long frame (a TTS sentence is seconds of audio in one frame) goes through in
                // slices, each slice's output frames sent before the next is resampled: the first
                // audio leaves after one slice's work, not the whole frame's. The stream is
                // stateful, so the samples are the same as in one call.
                let slice = Self.sliceFrames * frame.channels
                var offset = 0
                repeat {
                    let end = min(frame.samples.count, offset + slice)
                    // An ordinary frame fits in one slice and is passed on without a copy.
                    let produced = offset == 0 && end == frame.samples.count
                        ? active.process(frame.samples) : active.process(Array(frame.samples[offset..<end]))
                    stream = active
                    for out in framer.push(produced, channels: channels, flushing: false) {
                        try await context.send(.audio(out))
                    }
                    offset = end
                } while offset < frame.samples.count
            case let other:
                try await context.send(other)
            }
        }
        if var last = stream {
            for out in framer.push(last.finish(), channels: last.outputChannels, flushing: true) {
                try await context.send(.audio(out))
            }
        }
    }
}

/// Channel conversion followed by rate conversion, for one input format.
struct ResampledStream: Sendable {
    let inputRate: Int
    let inputChannels: Int
    let outputChannels: Int
    private var resampler: SincResampler

    init(inputRate: Int, inputChannels: Int, outputRate: Int, outputChannels: Int) throws {
        self.inputRate = inputRate
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        resampler = try SincResampler(inputRate: inputRate, outputRate: outputRate, channels: outputChannels)
    }

    mutating func process(_ samples: [Float]) -> [Float] {
        resampler.process(ChannelMapper.convert(samples, from: inputChannels, to: outputChannels))
    }

    mutating func finish() -> [Float] {
        resampler.flush()
    }
}

/// Converts interleaved audio between channel counts: mono→many duplicates, many→mono averages,
/// other pairs map channels cyclically.
enum ChannelMapper {
    static func convert(_ samples: [Float], from source: Int, to target: Int) -> [Float] {
        guard source != target, source > 0, target > 0 else { return samples }
        let frames = samples.count / source
        var out = [Float](repeating: 0, count: frames * target)
        samples.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                if target == 1 {
                    let scale = 1 / Float(source)
                    for frame in 0..<frames {
                        var sum: Float = 0
                        for channel in 0..<source { sum += input[frame * source + channel] }
                        output[frame] = sum * scale
                    }
                } else {
                    for frame in 0..<frames {
                        for channel in 0..<target {
                            output[frame * target + channel] = input[frame * source + channel % source]
                        }
                    }
                }
            }
        }
        return out
    }
}

/// Cuts a stream of interleaved samples into frames of a fixed size and stamps their metadata:
/// sequence from 0, duration from the sample count, timestamps continuing from the first input's.
struct Reframer: Sendable {
    let frameSize: Int
    let sampleRate: Int
    private var pending: [Float] = []
    private var sequence: UInt64 = 0
    private var baseTimestamp: UInt64?
    private var emittedFrames: UInt64 = 0

    init(frameSize: Int, sampleRate: Int) {
        self.frameSize = frameSize
        self.sampleRate = sampleRate
    }

    mutating func startTimestamp(_ timestamp: UInt64?) {
        if baseTimestamp == nil && emittedFrames == 0 { baseTimestamp = timestamp }
    }

    /// Frames completed by `samples`; with `flushing`, also the short remainder.
    mutating func push(_ samples: [Float], channels: Int, flushing: Bool) -> [AudioFrame] {
        guard channels > 0 else { return [] }
        var frames: [AudioFrame] = []
        if frameSize == 0 {
            if !samples.isEmpty { frames.append(make(samples, channels: channels)) }
            return frames
        }
        pending += samples
        let chunk = frameSize * channels
        var start = 0
        while pending.count - start >= chunk {
            frames.append(make(Array(pending[start..<start + chunk]), channels: channels))
            start += chunk
        }
        pending.removeFirst(start)
        if flushing && !pending.isEmpty {
            frames.append(make(pending, channels: channels))
            pending.removeAll()
        }
        return frames
    }

    private mutating func make(_ samples: [Float], channels: Int) -> AudioFrame {
        let count = UInt64(samples.count / channels)
        let rate = UInt64(max(1, sampleRate))
        let metadata = PacketMetadata(
            timestampUs: baseTimestamp.map { $0 + emittedFrames * 1_000_000 / rate },
            durationUs: count * 1_000_000 / rate,
            sequence: sequence
        )
        sequence += 1
        emittedFrames += count
        return AudioFrame(sampleRate: sampleRate, channels: channels, samples: samples, metadata: metadata)
    }
}
