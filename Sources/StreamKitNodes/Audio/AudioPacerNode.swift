import StreamKitCore

/// `audio::pacer`: releases raw audio frames in real time (each frame's duration divided by
/// `speed` after the previous one) and, with `generate_silence`, keeps that clock running with
/// 20 ms silent frames whenever no audio is waiting while the input is still open.
///
/// The silence format is the one of the last frame sent, or `initial_sample_rate` +
/// `initial_channels` before any frame (then silence starts at once, so a downstream encoder
/// gets a steady stream from the first moment). Frame timing follows the same absolute
/// schedule as `core::pacer` (`PacingSchedule`). Non-audio packets are dropped and counted.
///
/// Unlike the original, the node ends once its input has ended and the queued frames have
/// been sent at pace: no silence is made after end of input, so it never runs forever.
struct AudioPacerNode: DefinedNode {
    static let kind = "audio::pacer"
    /// Length of one silent frame.
    static let silenceFrameMilliseconds = 20
    /// Formats beyond these are not used for silence: a frame claiming a huge rate or channel
    /// count must not make the node allocate gigabytes of zeros.
    static let maximumSampleRate = 768_000
    static let maximumChannels = 64

    /// The shape of the silence to make.
    struct SilenceFormat: Equatable {
        var sampleRate: Int
        var channels: Int

        /// The format of `frame`, when it is one silence can be made in.
        init?(_ frame: AudioFrame) {
            self.init(sampleRate: frame.sampleRate, channels: frame.channels)
        }

        init?(sampleRate: Int, channels: Int) {
            guard (1...AudioPacerNode.maximumSampleRate).contains(sampleRate),
                  (1...AudioPacerNode.maximumChannels).contains(channels) else { return nil }
            self.sampleRate = sampleRate
            self.channels = channels
        }

        /// One silent frame of `silenceFrameMilliseconds`, carrying no metadata (its duration
        /// follows from its samples).
        var silentFrame: AudioFrame {
            let frames = max(1, sampleRate * AudioPacerNode.silenceFrameMilliseconds / 1000)
            return AudioFrame(sampleRate: sampleRate, channels: channels, samples: [Float](repeating: 0, count: frames * channels))
        }
    }

    var speed: Double
    var bufferSize: Int
    var generateSilence: Bool
    var initialFormat: SilenceFormat?

    static let definition = NodeDefinition(
        kind: kind,
        description: "Releases raw audio in real time (frame duration divided by speed). With generate_silence, "
            + "sends 20 ms silent frames while no audio is waiting, keeping a steady clock. Tunable: speed.",
        categories: ["audio", "timing"],
        paramSchema: Schema.object([
            ("speed", Schema.number("Playback speed: 1.0 is real time, 2.0 twice as fast. Must be greater than 0.",
                                    default: 1.0, exclusiveMinimum: 0)),
            ("buffer_size", Schema.integer("Frames held waiting for their release time before the input stops being read (32 ≈ 640 ms of 20 ms frames).",
                                           default: 32, minimum: 1)),
            ("generate_silence", Schema.boolean("Send 20 ms silent frames while no audio is waiting and the input is still open.",
                                                default: true)),
            ("initial_sample_rate", Schema.integer("Sample rate of the silence sent before the first frame arrives. Give it together with initial_channels, or neither.",
                                                   minimum: 1, maximum: maximumSampleRate, nullable: true)),
            ("initial_channels", Schema.integer("Channel count of the silence sent before the first frame arrives. Give it together with initial_sample_rate, or neither.",
                                                minimum: 1, maximum: maximumChannels, nullable: true)),
        ]),
        inputs: [InputPin(name: "in", accepts: [.anyRawAudio])],
        outputs: [OutputPin(name: "out", produces: .passthrough)],
        factory: { params in try AudioPacerNode(params: params) }
    )

    /// Reads parameters; throws a configuration error for bad values, and when only one of
    /// `initial_sample_rate` / `initial_channels` is given (a format needs both).
    init(params: JSONValue) throws {
        speed = try PacingSchedule.validSpeed(params["speed"], kind: Self.kind) ?? 1.0
        bufferSize = try PacingSchedule.integer(params, "buffer_size", default: 32, minimum: 1, kind: Self.kind)
        if let value = params["generate_silence"], !value.isNull {
            guard let flag = value.boolValue else {
                throw StreamKitError.configuration("\(Self.kind): generate_silence must be true or false, got \(value.jsonString())")
            }
            generateSilence = flag
        } else {
            generateSilence = true
        }
        initialFormat = try Self.initialFormat(params)
    }

    private static func initialFormat(_ params: JSONValue) throws -> SilenceFormat? {
        // JSON null counts as absent (the schema allows it). Spelled out with `.none` because
        // JSONValue is itself `ExpressibleByNilLiteral`: a bare `nil` here would mean `.null`.
        func given(_ key: String) -> JSONValue? {
            guard let value = params[key], !value.isNull else { return .none }
            return value
        }
        let rate = given("initial_sample_rate")
        let channels = given("initial_channels")
        switch (rate, channels) {
        case (nil, nil):
            return nil
        case (.some, nil), (nil, .some):
            let given = rate == nil ? "initial_channels" : "initial_sample_rate"
            let missing = rate == nil ? "initial_sample_rate" : "initial_channels"
            throw StreamKitError.configuration(
                "\(kind): initial_sample_rate and initial_channels must be given together or not at all "
                    + "(\(given) was given without \(missing))")
        case (.some(let rate), .some(let channels)):
            guard let sampleRate = rate.intValue, (1...maximumSampleRate).contains(sampleRate) else {
                throw StreamKitError.configuration("\(kind): initial_sample_rate must be an integer from 1 to \(maximumSampleRate), got \(rate.jsonString())")
            }
            guard let channelCount = channels.intValue, (1...maximumChannels).contains(channelCount) else {
                throw StreamKitError.configuration("\(kind): initial_channels must be an integer from 1 to \(maximumChannels), got \(channels.jsonString())")
            }
            return SilenceFormat(sampleRate: sampleRate, channels: channelCount)
        }
    }

    func run(context: NodeContext) async throws {
        context.setState(.running)
        let clock = ContinuousClock()
        var schedule = PacingSchedule(speed: speed)
        var queue = PacedQueue()
        var inputOpen = true
        var format = initialFormat
        // Made once per format and shared by every silent packet (copy-on-write).
        var silence = generateSilence ? format?.silentFrame : nil
        var lateness = LatenessMeter()

        while true {
            // Send every queued frame that is due (several in a row when catching up).
            while let head = queue.first {
                if head.durationUs > 0 {
                    let now = clock.now
                    guard schedule.isDue(at: now) else { break }
                    if let due = schedule.nextDue { lateness.record(due: due, now: now, context: context) }
                    schedule.released(durationUs: head.durationUs, at: now)
                }
                queue.removeFirst()
                if generateSilence, case .audio(let frame) = head.packet,
                   let frameFormat = SilenceFormat(frame), frameFormat != format {
                    format = frameFormat
                    silence = frameFormat.silentFrame
                }
                try await context.send(head.packet)
            }

            if !inputOpen {
                // Input ended: send what is queued at pace, then stop (no silence any more).
                guard await schedule.drainStep(queue: queue, clock: clock, context: context, kind: Self.kind) else { return }
                continue
            }

            // Nothing waiting while the input is open: fill the tick with silence.
            if queue.isEmpty, let silentFrame = silence {
                let now = clock.now
                if schedule.isDue(at: now) {
                    let durationUs = silentFrame.durationUs ?? 20_000
                    // After a stall longer than a frame, skip the missed ticks rather than
                    // flood the output with silence that would only add latency downstream.
                    if let due = schedule.nextDue, due.duration(to: now) > schedule.wallTime(forUs: durationUs) {
                        schedule.restart(at: now)
                    }
                    if let due = schedule.nextDue { lateness.record(due: due, now: now, context: context) }
                    schedule.released(durationUs: durationUs, at: now)
                    try await context.send(.audio(silentFrame))
                    continue
                }
            }

            // Wait for input or the next tick.
            let input = await schedule.awaitInput(
                context: context, clock: clock, ticking: !queue.isEmpty || silence != nil, queued: queue.count,
                bufferSize: bufferSize, kind: Self.kind
            )
            switch input {
            case .packet(.audio(let frame)):
                let durationUs = frame.durationUs ?? 0
                // With silence running the clock never idles, so only a silent-less pacer
                // restarts its schedule when audio resumes after a gap.
                if queue.isEmpty && durationUs > 0 && silence == nil { schedule.resumeAfterIdle(at: clock.now) }
                queue.append(.audio(frame), durationUs: durationUs)
            case .packet:
                // Only raw audio can be paced on an audio clock.
                context.countDiscarded()
            case .tick:
                continue
            case .ended:
                inputOpen = false
            case .stop:
                return
            }
        }
    }
}
