import StreamKitCore

/// `audio::opus::encoder`: float audio in, Opus packets out, with libopus.
///
/// Accepts 8, 12, 16, 24 or 48 kHz audio (the rates Opus encodes) in any frame size, and cuts
/// it into frames of `frame_duration_ms`. The first packet out is an `OpusHead` with the
/// encoder's real pre-skip, for muxers and decoders downstream. At the end the last partial
/// frame is padded with silence, and enough frames are added to flush the encoder's delay;
/// the last packet's `duration_us` tells muxers where the real audio ends, so a round trip
/// keeps the exact length. Packets carry timestamps continuing from the input's.
///
/// The channel count is fixed by `channels` or by the first frame (1 → mono, more → stereo);
/// later frames with another count are mixed to it. Encoding runs on the node's blocking queue.
struct OpusEncoderNode: DefinedNode {
    static let definition = NodeDefinition(
        kind: "audio::opus::encoder",
        description: "Encodes float audio to Opus (libopus): bitrate, frame duration, application, channels, complexity. Pads the last frame and keeps timestamps.",
        categories: ["audio", "codecs", "opus"],
        paramSchema: Schema.object([
            ("bitrate", Schema.integer("Target bitrate in bits per second.", default: 64_000, minimum: 6_000, maximum: 510_000)),
            ("frame_duration_ms", ["type": "number", "description": "Duration of each Opus frame in milliseconds.", "default": 20, "enum": [2.5, 5, 10, 20, 40, 60]]),
            ("application", Schema.string("libopus application: audio (music), voip (speech) or lowdelay.", default: "audio", oneOf: ["audio", "voip", "lowdelay"])),
            ("channels", Schema.integer("Encoded channels: 0 = from the first frame (mono stays mono, else stereo), 1 or 2.", default: 0, minimum: 0, maximum: 2)),
            ("complexity", Schema.integer("Encoder complexity 0 (fastest) to 10 (best).", default: 10, minimum: 0, maximum: 10)),
        ]),
        inputs: [InputPin(name: "in", accepts: [.anyRawAudio])],
        outputs: [OutputPin(name: "out", produces: .opusAudio)],
        factory: { params in
            OpusEncoderNode(
                bitrate: params.integer("bitrate", or: 64_000),
                frameDurationMs: params.number("frame_duration_ms", or: 20),
                application: LibOpusEncoder.Application(rawValue: params.string("application", or: "audio")) ?? .audio,
                channels: params.integer("channels", or: 0),
                complexity: params.integer("complexity", or: 10)
            )
        }
    )

    var bitrate: Int
    var frameDurationMs: Double
    var application: LibOpusEncoder.Application
    var channels: Int
    var complexity: Int

    var contentType: String? { "audio/opus" }

    func run(context: NodeContext) async throws {
        var session: OpusFrameEncoder?
        var batch: [AudioFrame] = []

        func encode(final: Bool) async throws {
            guard !batch.isEmpty || final else { return }
            let frames = batch
            batch.removeAll(keepingCapacity: true)
            if session == nil {
                guard let first = frames.first else { return }
                let channels = self.channels > 0 ? self.channels : (first.channels == 1 ? 1 : 2)
                let (bitrate, application, complexity, duration) = (self.bitrate, self.application, self.complexity, frameDurationMs)
                let created = try await context.blocking.run {
                    try OpusFrameEncoder(
                        encoder: LibOpusEncoder(sampleRate: first.sampleRate, channels: channels, application: application, bitrate: bitrate, complexity: complexity),
                        frameDurationMs: duration, startUs: first.metadata?.timestampUs ?? 0
                    )
                }
                session = created
                try await context.send(.binary(BinaryPacket(data: created.head.bytes, contentType: "audio/opus")))
            }
            guard let session else { return }
            let packets = try await context.blocking.run { try session.encode(frames, final: final) }
            for packet in packets {
                try await context.send(.binary(packet))
            }
        }

        func take(_ packet: Packet) throws {
            switch packet {
            case .audio(let frame):
                guard frame.channels > 0, frame.samples.count % frame.channels == 0 else {
                    throw StreamKitError.invalidData("audio::opus::encoder got a frame of \(frame.samples.count) samples in \(frame.channels) channels")
                }
                if !frame.samples.isEmpty { batch.append(frame) }
            default:
                context.countDiscarded()
            }
        }

        try await context.readInBatches(
            refusingUpdates: "audio::opus::encoder parameters cannot be changed while it runs",
            batched: { batch.count }, take: take, flush: { try await encode(final: false) }
        )
        if context.isShutdownRequested { return }
        try await encode(final: true)
    }
}
