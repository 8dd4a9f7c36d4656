import StreamKitCore

/// `audio::gain`: multiplies every sample by a linear gain, tunable while running.
///
/// A change of gain is ramped over `ramp_ms` (linear), so a tune never clicks.
struct GainNode: DefinedNode {
    static let kind = "audio::gain"
    static let maximumGain = 4.0

    var gain: Float
    var rampMilliseconds: Double

    static let definition = NodeDefinition(
        kind: kind,
        description: "Multiplies audio by a linear gain (0–4). Tunable: changes are ramped smoothly, without clicks.",
        categories: ["audio", "filters"],
        paramSchema: Schema.object([
            ("gain", Schema.number("Linear gain: 1.0 leaves audio unchanged, 0.5 halves it, 2.0 doubles it.", default: 1.0, minimum: 0, maximum: maximumGain)),
            ("ramp_ms", Schema.number("Duration of the ramp to a new gain, in milliseconds.", default: 10, minimum: 0, maximum: 5000)),
        ]),
        inputs: [InputPin(name: "in", accepts: [.anyRawAudio])],
        outputs: [OutputPin(name: "out", produces: .anyRawAudio)],
        factory: { params in GainNode(params: params) }
    )

    init(params: JSONValue) {
        gain = Float(params.number("gain", or: 1.0))
        rampMilliseconds = params.number("ramp_ms", or: 10)
    }

    func run(context: NodeContext) async throws {
        var ramp = GainRamp(gain: gain)
        var rampMilliseconds = self.rampMilliseconds
        while let input = await context.next() {
            switch input {
            case .packet(_, .audio(var frame)):
                ramp.apply(to: &frame, rampMilliseconds: rampMilliseconds)
                try await context.send(.audio(frame))
            case .packet(_, let other):
                try await context.send(other)
            case .paramsUpdate(let update):
                rampMilliseconds = update.params.number("ramp_ms", or: rampMilliseconds)
                ramp.target = Float(update.params.number("gain", or: Double(ramp.target)))
                update.accept()
            case .inputClosed, .timeout:
                continue
            }
        }
    }
}

/// A gain that moves linearly to a new target over a fixed time instead of jumping.
struct GainRamp {
    private(set) var current: Float
    /// Setting a new target starts a ramp from the current gain.
    var target: Float {
        didSet { step = nil }
    }
    private var step: Float?

    init(gain: Float) {
        current = gain
        target = gain
    }

    /// Multiplies in place (copy-on-write: the frame's buffer is copied only if shared).
    mutating func apply(to frame: inout AudioFrame, rampMilliseconds: Double) {
        let channels = max(1, frame.channels)
        let frames = frame.samples.count / channels
        if current == target {
            if current == 1 { return }
            let factor = current
            frame.samples.withUnsafeMutableBufferPointer { samples in
                for index in samples.indices { samples[index] *= factor }
            }
            return
        }
        let target = self.target
        let rampFrames = max(1, Int(rampMilliseconds * Double(max(1, frame.sampleRate)) / 1000))
        let step = self.step ?? (target - current) / Float(rampFrames)
        self.step = step
        var value = current
        frame.samples.withUnsafeMutableBufferPointer { samples in
            for index in 0..<frames {
                if value != target {
                    value += step
                    if (step > 0 && value > target) || (step < 0 && value < target) { value = target }
                }
                let base = index * channels
                for channel in 0..<channels { samples[base + channel] *= value }
            }
        }
        current = value
    }
}
