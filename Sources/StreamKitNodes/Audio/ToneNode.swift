import Foundation
import StreamKitCore

/// `audio::tone`: a source of synthetic audio — a sine, white noise or silence — of a given
/// rate, channel count and duration, for demos, tests and load tests. It produces as fast as
/// its consumers take it (put an `audio::pacer` after it for real time).
struct ToneNode: DefinedNode {
    enum Waveform: String, Sendable { case sine, noise, silence }

    static let definition = NodeDefinition(
        kind: "audio::tone",
        description: "Generates a sine tone, white noise or silence (a source for demos and load tests).",
        categories: ["audio", "sources"],
        paramSchema: Schema.object([
            ("waveform", Schema.string("What to generate.", default: "sine", oneOf: ["sine", "noise", "silence"])),
            ("frequency", Schema.number("Sine frequency in Hz.", default: 440, minimum: 0, maximum: 384_000)),
            ("amplitude", Schema.number("Peak amplitude (0–1).", default: 0.5, minimum: 0, maximum: 1)),
            ("sample_rate", Schema.integer("Samples per second.", default: 48000, minimum: 1, maximum: 768_000)),
            ("channels", Schema.integer("Channel count.", default: 1, minimum: 1, maximum: 64)),
            ("duration_ms", Schema.integer("Total duration in milliseconds (0 = endless).", default: 1000, minimum: 0)),
            ("frame_ms", Schema.number("Duration of each frame in milliseconds.", default: 20, minimum: 0.1, maximum: 1000)),
            ("seed", Schema.integer("Seed of the noise generator (the same seed gives the same noise).", default: 1, minimum: 0)),
        ]),
        inputs: [],
        outputs: [OutputPin(name: "out", produces: .anyRawAudio)],
        factory: { params in try ToneNode(params: params) }
    )

    var waveform: Waveform
    var frequency: Double
    var amplitude: Float
    var sampleRate: Int
    var channels: Int
    var durationMs: Int
    var frameMs: Double
    var seed: UInt64

    init(params: JSONValue) throws {
        waveform = Waveform(rawValue: params.string("waveform", or: "sine")) ?? .sine
        frequency = params.number("frequency", or: 440)
        amplitude = Float(params.number("amplitude", or: 0.5))
        sampleRate = params.integer("sample_rate", or: 48000)
        channels = params.integer("channels", or: 1)
        durationMs = params.integer("duration_ms", or: 1000)
        frameMs = params.number("frame_ms", or: 20)
        seed = UInt64(max(0, params.integer("seed", or: 1)))
        if waveform == .sine && frequency * 2 > Double(sampleRate) {
            throw StreamKitError.configuration("frequency \(frequency) Hz is above the Nyquist limit of \(sampleRate / 2) Hz at sample_rate \(sampleRate)")
        }
    }

    var outputPins: [OutputPin] { [OutputPin(name: "out", produces: .rawAudio(AudioFormat(sampleRate: sampleRate, channels: channels)))] }

    func run(context: NodeContext) async throws {
        var generator = ToneGenerator(tone: self)
        let totalFrames = durationMs == 0 ? Int.max : Int((Int64(durationMs) * Int64(sampleRate) + 999) / 1000)
        let framesPerPacket = max(1, Int(frameMs * Double(sampleRate) / 1000))
        var produced = 0
        var sequence: UInt64 = 0
        while produced < totalFrames {
            if let update = context.pollParamsUpdate() {
                if let value = update.params["frequency"]?.doubleValue, value * 2 <= Double(sampleRate) {
                    generator.frequency = value
                }
                if let value = update.params["amplitude"]?.doubleValue { generator.amplitude = Float(value) }
                update.accept()
            }
            let count = min(framesPerPacket, totalFrames - produced)
            let samples = generator.next(frames: count)
            let metadata = PacketMetadata(
                timestampUs: UInt64(produced) * 1_000_000 / UInt64(sampleRate),
                durationUs: UInt64(count) * 1_000_000 / UInt64(sampleRate),
                sequence: sequence
            )
            try await context.send(.audio(AudioFrame(sampleRate: sampleRate, channels: channels, samples: samples, metadata: metadata)))
            produced += count
            sequence += 1
        }
        context.setState(.stopped(reason: .completed))
    }
}

/// The sample generator behind `audio::tone`: phase-continuous across frames.
struct ToneGenerator: Sendable {
    var waveform: ToneNode.Waveform
    var frequency: Double
    var amplitude: Float
    let sampleRate: Int
    let channels: Int
    private var phase = 0.0
    private var random: UInt64

    init(tone: ToneNode) {
        waveform = tone.waveform
        frequency = tone.frequency
        amplitude = tone.amplitude
        sampleRate = tone.sampleRate
        channels = tone.channels
        random = tone.seed &* 0x9E37_79B9_7F4A_7C15 | 1
    }

    mutating func next(frames: Int) -> [Float] {
        var samples = [Float](repeating: 0, count: frames * channels)
        switch waveform {
        case .silence:
            break
        case .sine:
            let step = 2 * Double.pi * frequency / Double(sampleRate)
            for frame in 0..<frames {
                let value = amplitude * Float(sin(phase))
                phase += step
                if phase > 2 * Double.pi { phase -= 2 * Double.pi }
                for channel in 0..<channels { samples[frame * channels + channel] = value }
            }
        case .noise:
            for index in samples.indices {
                // xorshift64*: cheap, deterministic for a seed, good enough for test noise.
                random ^= random >> 12
                random ^= random << 25
                random ^= random >> 27
                let bits = (random &* 0x2545_F491_4F6C_DD1D) >> 40
                samples[index] = amplitude * (Float(bits) / Float(1 << 23) - 1)
            }
        }
        return samples
    }
}
