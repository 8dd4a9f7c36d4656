import StreamKitCore

/// `audio::mixer`: sums any number of raw-audio inputs into one stream.
///
/// How it differs from the original (on purpose):
/// - It mixes by samples, not by frames: every input has a FIFO of samples, and the mixer
///   emits as much audio as every input it waits for has buffered. Inputs with different
///   frame sizes (960 and 441, say) mix correctly, and no frame is ever replaced or dropped.
/// - It never clips: a mix that would exceed [-1, 1] is turned down by `MixLimiter` (a gain
///   limiter: 2 ms look-ahead attack, 100 ms release, gain shared by all channels); a mix that
///   fits, once the limiter has recovered, passes through bit for bit.
/// - It keeps memory bounded with backpressure: an input that is far ahead of the others is
///   not read (its producer waits) until the others catch up.
/// - Different sample rates fail the node with an error naming the pins, instead of being
///   summed as if they were equal.
///
/// Which inputs are waited for:
/// - oneshot runs: every input until it ends. No timers, so the output is deterministic.
/// - dynamic sessions: every input, but one that stays empty for `sync_timeout_ms` while
///   others have audio is "slow": it counts as silence until it delivers again. Slow inputs
///   that had delivered before put the node in `Degraded(slow_input_timeout)`; it returns to
///   `Running` when they deliver again or end. An input that has never delivered is also left
///   out after one timeout (so a link that never starts cannot stall the mix) but does not
///   degrade the node, since it is simply not started yet. A link made once audio is flowing
///   joins the mix with its first frame. (A link removed without end of stream leaves its pin
///   open, so that input times out and the node stays degraded until the pin ends.)
/// An input that ends stops being waited for once its buffered samples are mixed; the node
/// returns, after flushing everything buffered, when every input has ended.
///
/// Output format: the sample rate of the first frame received; the most channels seen so far
/// (never fewer); frames as long as the frames of the first input that delivered (the "lead"),
/// or `clocked.frame_samples_per_channel`. Timestamps follow the lead's, extrapolated by sample
/// count; durations come from the sample count; `sequence` counts output frames from 0.
struct MixerNode: DefinedNode {
    static let kind = "audio::mixer"
    // Limits on the clocked parameters, so buffer sizes derived from them cannot overflow.
    static let maximumSampleRate = 768_000
    static let maximumFrameSamples = 192_000
    static let maximumJitterFrames = 1_000
    /// Longer sync timeouts are treated as this (a day), so the deadline arithmetic stays in range.
    static let maximumSyncTimeoutMilliseconds = 86_400_000

    /// The `clocked` parameter. There is no wall clock here: clocked mode makes the output
    /// frames exactly `frameSamples` long (the last one padded with silence), requires every
    /// input at `sampleRate`, and lets each input buffer `jitterBufferFrames` output frames
    /// (at least 2) before it is held back. Missing inputs are filled with silence after `sync_timeout_ms` in dynamic
    /// sessions, as in unclocked mode. `generateSilence` is accepted for compatibility but has
    /// no effect: the mixer emits only when some input delivers.
    struct Clock: Sendable, Equatable {
        var sampleRate: Int
        var frameSamples: Int
        var jitterBufferFrames: Int
        var generateSilence: Bool
    }

    /// Fixed number of inputs (`in_0 … in_{N-1}`); nil: pins are made on demand by the engine.
    var numInputs: Int?
    /// How long a dynamic session waits for an empty input while others have audio; nil: forever.
    var syncTimeoutMilliseconds: Int?
    var clock: Clock?
    /// Raw values of the parameters that cannot change while running, to tell a real change
    /// from an update that merely repeats them.
    private var fixedParams: (numInputs: JSONValue, clocked: JSONValue)

    static let definition = NodeDefinition(
        kind: kind,
        description: "Mixes any number of audio inputs into one stream, sample-accurately and without clipping.",
        categories: ["audio", "mixing"],
        paramSchema: Schema.object([
            ("num_inputs", nullableDefault(Schema.integer(
                "Number of inputs (pins in_0 … in_{N-1}). Null: pins are created as links are made.",
                minimum: 1, nullable: true))),
            ("sync_timeout_ms", Schema.integer(
                "Dynamic sessions: how long to wait for an input that has no audio while others do before mixing silence for it. Null: wait forever. Oneshot runs always wait.",
                default: 100, minimum: 0, nullable: true)),
            ("clocked", .object([
                "type": ["object", "null"],
                "default": .null,
                "description": "Fixed-size output frames at a fixed sample rate. Null: frames follow the first input.",
                "properties": .object(JSONObject([
                    ("sample_rate", Schema.integer("Sample rate every input must have, in Hz.", default: 48000, minimum: 1, maximum: maximumSampleRate)),
                    ("frame_samples_per_channel", Schema.integer("Samples per channel in each output frame.", default: 960, minimum: 1, maximum: maximumFrameSamples)),
                    ("jitter_buffer_frames", Schema.integer("Output frames each input may buffer before it is held back.", default: 3, minimum: 1, maximum: maximumJitterFrames)),
                    ("generate_silence", Schema.boolean("Accepted for compatibility; this mixer has no wall clock and emits only when inputs deliver.", default: true)),
                ])),
            ])),
        ]),
        inputs: [InputPin(name: "in", accepts: [.anyRawAudio], cardinality: .dynamic(prefix: "in"))],
        outputs: [OutputPin(name: "out", produces: .anyRawAudio)],
        factory: { params in try MixerNode(params: params) }
    )

    private static func nullableDefault(_ schema: JSONValue) -> JSONValue {
        guard case .object(var object) = schema else { return schema }
        object["default"] = .null
        return .object(object)
    }

    init(params: JSONValue) throws {
        let inputs = params["num_inputs"] ?? .null
        if inputs.isNull {
            numInputs = nil
        } else if let count = inputs.intValue, count >= 1 {
            numInputs = count
        } else {
            throw StreamKitError.configuration("audio::mixer: num_inputs must be an integer ≥ 1 or null")
        }
        let timeout = params["sync_timeout_ms"] ?? .number(100)
        syncTimeoutMilliseconds = try Self.parseTimeout(timeout)
        let clocked = params["clocked"] ?? .null
        if clocked.isNull {
            clock = nil
        } else if clocked.objectValue != nil {
            let clock = Clock(
                sampleRate: clocked.integer("sample_rate", or: 48000),
                frameSamples: clocked.integer("frame_samples_per_channel", or: 960),
                jitterBufferFrames: clocked.integer("jitter_buffer_frames", or: 3),
                generateSilence: clocked.bool("generate_silence", or: true)
            )
            guard (1...Self.maximumSampleRate).contains(clock.sampleRate),
                  (1...Self.maximumFrameSamples).contains(clock.frameSamples),
                  (1...Self.maximumJitterFrames).contains(clock.jitterBufferFrames) else {
                throw StreamKitError.configuration(
                    "audio::mixer: clocked.sample_rate (1–\(Self.maximumSampleRate)), frame_samples_per_channel (1–\(Self.maximumFrameSamples)) and jitter_buffer_frames (1–\(Self.maximumJitterFrames)) are out of range")
            }
            self.clock = clock
        } else {
            throw StreamKitError.configuration("audio::mixer: clocked must be an object or null")
        }
        fixedParams = (inputs, clocked)
    }

    static func parseTimeout(_ value: JSONValue) throws -> Int? {
        if value.isNull { return nil }
        guard let milliseconds = value.intValue, milliseconds >= 0 else {
            throw StreamKitError.configuration("audio::mixer: sync_timeout_ms must be an integer ≥ 0 or null")
        }
        return min(milliseconds, maximumSyncTimeoutMilliseconds)
    }

    var inputPins: [InputPin] {
        guard let numInputs else { return Self.definition.inputs }
        return (0..<numInputs).map { InputPin(name: "in_\($0)", accepts: [.anyRawAudio]) }
    }

    func run(context: NodeContext) async throws {
        context.setState(.running)
        var mix = MixerState(clock: clock)
        var syncTimeout = syncTimeoutMilliseconds
        // When the mix first became blocked on an empty input (dynamic sessions only).
        var blockedSince: ContinuousClock.Instant?
        var reportedSlow: [String] = []

        while true {
            // In a dynamic session a link made after audio started flowing joins the mix when
            // it first delivers, rather than stalling the others for a sync timeout.
            mix.register(context.inputPinNames, awaited: context.mode == .oneshot || !mix.hasStarted)
            var timeout: Duration?
            if context.mode == .dynamic, let syncTimeout, !mix.blockingInputs.isEmpty {
                let since = blockedSince ?? .now
                blockedSince = since
                let remaining = Duration.milliseconds(syncTimeout) - (ContinuousClock.now - since)
                timeout = max(.zero, remaining)
            } else {
                blockedSince = nil
            }

            guard let input = await context.next(skipping: mix.aheadInputs, timeout: timeout) else { break }
            var newlySlow: [String] = []
            switch input {
            case .packet(let pin, .audio(let frame)):
                guard frame.channels > 0, frame.sampleRate > 0 else {
                    context.countErrored()
                    continue
                }
                try mix.push(frame, from: pin)
            case .packet:
                context.countDiscarded()
                continue
            case .inputClosed(let pin):
                mix.end(pin)
            case .paramsUpdate(let update):
                switch applyUpdate(update.params, timeout: syncTimeout) {
                case .success(let newTimeout):
                    syncTimeout = newTimeout
                    blockedSince = nil
                    update.accept()
                case .failure(let error):
                    update.reject(error.message)
                }
                continue
            case .timeout:
                newlySlow = mix.markBlockingInputsSlow()
                blockedSince = nil
            }

            let slow = mix.slowStartedInputs
            if slow != reportedSlow {
                reportedSlow = slow
                if slow.isEmpty {
                    context.setState(.running)
                } else {
                    context.setState(.degraded(reason: "slow_input_timeout", details: [
                        "slow_pins": .array(slow.map { .string($0) }),
                        "newly_slow_pins": .array(newlySlow.map { .string($0) }),
                        "sync_timeout_ms": syncTimeout.map { .number(Double($0)) } ?? .null,
                    ]))
                }
            }

            var emitted = false
            while let frame = mix.nextOutput() {
                emitted = true
                try await context.send(.audio(frame))
            }
            // Progress starts a new round: the next wait gets the full timeout.
            if emitted { blockedSince = nil }
        }

        // Stopped on request: sending would only throw, so drop what is buffered.
        if context.isShutdownRequested { return }
        mix.endAll()
        while let frame = mix.nextOutput() {
            try await context.send(.audio(frame))
        }
    }

    private struct UpdateError: Error {
        var message: String
    }

    /// Checks a live update: only `sync_timeout_ms` may change. Returns the new timeout.
    private func applyUpdate(_ params: JSONValue, timeout: Int?) -> Result<Int?, UpdateError> {
        guard let object = params.objectValue else {
            return .failure(UpdateError(message: "audio::mixer: parameters must be an object"))
        }
        var newTimeout = timeout
        for (key, value) in object {
            switch key {
            case "sync_timeout_ms":
                do {
                    newTimeout = try Self.parseTimeout(value)
                } catch {
                    return .failure(UpdateError(message: "audio::mixer: sync_timeout_ms must be an integer ≥ 0 or null"))
                }
            case "num_inputs" where value == fixedParams.numInputs,
                 "clocked" where value == fixedParams.clocked:
                continue
            case "num_inputs", "clocked":
                return .failure(UpdateError(message: "audio::mixer cannot change \(key) while running; only sync_timeout_ms is tunable"))
            default:
                return .failure(UpdateError(message: "audio::mixer has no parameter '\(key)'; only sync_timeout_ms is tunable"))
            }
        }
        return .success(newTimeout)
    }
}

/// The mixer's working state: its inputs' sample queues, the output format and the framing.
/// Kept apart from the node's task so the mixing rules read as plain synchronous code.
struct MixerState {
    struct Input {
        var name: String
        var queue: MixSampleQueue
        /// End of stream reached: mixed while samples remain, never waited for.
        var ended = false
        /// Dynamic sessions: timed out, counted as silence until it delivers again.
        var slow = false
        var hasDelivered = false
    }

    /// A known presentation time: the output sample at `position` has `timestampUs`.
    private struct TimeMark {
        var position: Int
        var timestampUs: UInt64
    }

    private(set) var inputs: [Input] = []
    private var indexByName: [String: Int] = [:]
    private let clock: MixerNode.Clock?

    /// Output format, fixed by the first frame (rate) and widened by later ones (channels).
    private(set) var sampleRate: Int?
    private var ratePin = ""
    private(set) var channels = 0
    /// The input whose timestamps the output carries and whose frame size it follows:
    /// the first input that delivered audio.
    private var leadPin: String?
    /// Output frame size when not clocked: the lead input's latest frame size.
    private var leadFrameSize = 0
    private var timeMarks: [TimeMark] = []
    /// Output frames emitted so far (the position of the next output sample).
    private var emittedFrames = 0
    private var sequence: UInt64 = 0
    private var limiter: MixLimiter?

    init(clock: MixerNode.Clock?) {
        self.clock = clock
    }

    /// Whether any audio has arrived yet.
    var hasStarted: Bool { sampleRate != nil }

    /// Adds inputs for pins not seen yet, in the order given.
    /// - Parameter awaited: whether the mix waits for them before their first frame; if not,
    ///   they count as silence until they deliver.
    mutating func register(_ pins: [String], awaited: Bool) {
        for pin in pins where indexByName[pin] == nil {
            let index = addInput(pin)
            inputs[index].slow = !awaited
        }
    }

    @discardableResult
    private mutating func addInput(_ pin: String) -> Int {
        if let index = indexByName[pin] { return index }
        indexByName[pin] = inputs.count
        inputs.append(Input(name: pin, queue: MixSampleQueue(channels: max(1, channels))))
        return inputs.count - 1
    }

    /// Frames per output frame: fixed when clocked, else the lead input's frame size.
    private var chunkFrames: Int { clock?.frameSamples ?? max(1, leadFrameSize) }

    /// Frames an input may hold before it is held back: half a second of audio, but at least
    /// four output frames (so the mixer can always make one) — or the jitter buffer when clocked.
    private var bufferLimitFrames: Int {
        if let clock { return max(2, clock.jitterBufferFrames) * clock.frameSamples }
        return max((sampleRate ?? 0) / 2, 4 * chunkFrames)
    }

    /// Inputs the mix cannot go on without: not ended, not slow.
    private var awaitedIndices: [Int] {
        inputs.indices.filter { !inputs[$0].ended && !inputs[$0].slow }
    }

    /// Pins not to read from now: they are far ahead of the others.
    var aheadInputs: Set<String> {
        guard sampleRate != nil else { return [] }
        let limit = bufferLimitFrames
        return Set(inputs.filter { !$0.ended && $0.queue.frames >= limit }.map(\.name))
    }

    /// Awaited inputs with nothing buffered while some other input has audio waiting: the
    /// ones a dynamic session's timeout applies to.
    var blockingInputs: [String] {
        guard inputs.contains(where: { !$0.queue.isEmpty }) else { return [] }
        return awaitedIndices.filter { inputs[$0].queue.isEmpty }.map { inputs[$0].name }
    }

    /// Inputs that delivered before and are now counted as silence (what `Degraded` reports).
    var slowStartedInputs: [String] {
        inputs.filter { $0.slow && $0.hasDelivered && !$0.ended }.map(\.name)
    }

    /// The sync timeout passed: the blocking inputs become slow. Returns their names.
    mutating func markBlockingInputsSlow() -> [String] {
        let blocking = blockingInputs
        for name in blocking {
            if let index = indexByName[name] { inputs[index].slow = true }
        }
        return blocking.filter { name in indexByName[name].map { inputs[$0].hasDelivered } ?? false }
    }

    mutating func end(_ pin: String) {
        let index = addInput(pin)
        inputs[index].ended = true
    }

    mutating func endAll() {
        for index in inputs.indices { inputs[index].ended = true }
    }

    /// Queues a frame from `pin`, converted to the output layout.
    mutating func push(_ frame: AudioFrame, from pin: String) throws {
        if let clock, frame.sampleRate != clock.sampleRate {
            throw StreamKitError.runtime(
                "audio::mixer is clocked at \(clock.sampleRate) Hz but \(pin) is \(frame.sampleRate) Hz; put an audio::resampler before it")
        }
        if let sampleRate, frame.sampleRate != sampleRate {
            throw StreamKitError.runtime(
                "audio::mixer needs the same sample rate on every input: \(ratePin) is \(sampleRate) Hz, \(pin) is \(frame.sampleRate) Hz; put an audio::resampler before it")
        }
        if sampleRate == nil {
            sampleRate = frame.sampleRate
            ratePin = pin
            limiter = MixLimiter(sampleRate: frame.sampleRate)
        }
        if frame.channels > channels {
            // The mix only ever widens, so earlier audio keeps its place in the new layout.
            channels = frame.channels
            for index in inputs.indices { inputs[index].queue.changeLayout(to: channels) }
        }
        let index = addInput(pin)
        if leadPin == nil { leadPin = pin }
        if pin == leadPin {
            if frame.frameCount > 0 { leadFrameSize = frame.frameCount }
            if let timestamp = frame.metadata?.timestampUs {
                // This frame's first sample will be output after everything the lead has queued.
                timeMarks.append(TimeMark(position: emittedFrames + inputs[index].queue.frames, timestampUs: timestamp))
            }
        }
        inputs[index].queue.append(MixChannels.convert(frame.samples, from: frame.channels, to: channels))
        inputs[index].ended = false
        inputs[index].slow = false
        inputs[index].hasDelivered = true
    }

    /// The next output frame, if the inputs it needs have enough audio buffered.
    ///
    /// While some input is awaited, a frame is made only when every awaited input has a whole
    /// output frame's worth; inputs that ended or are slow contribute what they have and are
    /// padded with silence. With nothing awaited (all ended or slow), the rest is flushed.
    mutating func nextOutput() -> AudioFrame? {
        guard let sampleRate, channels > 0 else { return nil }
        let awaited = awaitedIndices
        let flushing = awaited.isEmpty
        let available = flushing
            ? inputs.map(\.queue.frames).max() ?? 0
            : awaited.map { inputs[$0].queue.frames }.min() ?? 0
        let chunk = chunkFrames
        guard available > 0, available >= chunk || flushing else { return nil }
        let count = min(chunk, available)
        // Clocked output frames always have the fixed size; the last one is padded with silence.
        let outputFrames = clock == nil ? count : chunk

        var samples = [Float](repeating: 0, count: outputFrames * channels)
        for index in inputs.indices where !inputs[index].queue.isEmpty {
            inputs[index].queue.mix(into: &samples, frames: count)
        }
        limiter?.process(&samples, channels: channels)

        let metadata = PacketMetadata(
            timestampUs: timestamp(at: emittedFrames, sampleRate: sampleRate),
            durationUs: UInt64(outputFrames) * 1_000_000 / UInt64(sampleRate),
            sequence: sequence
        )
        emittedFrames += outputFrames
        sequence += 1
        return AudioFrame(sampleRate: sampleRate, channels: channels, samples: samples, metadata: metadata)
    }

    /// The lead input's time at output `position`, extrapolated from its last known timestamp.
    private mutating func timestamp(at position: Int, sampleRate: Int) -> UInt64? {
        guard let last = timeMarks.lastIndex(where: { $0.position <= position }) else { return nil }
        if last > 0 { timeMarks.removeFirst(last) }
        let mark = timeMarks[0]
        let offset = UInt64(position - mark.position) * 1_000_000 / UInt64(sampleRate)
        // Saturate rather than trap on a timestamp near the top of the range (input-derived).
        let (timestamp, overflow) = mark.timestampUs.addingReportingOverflow(offset)
        return overflow ? .max : timestamp
    }
}
