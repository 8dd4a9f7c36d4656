import StreamKitCore

/// `audio::opus::decoder`: Opus packets in, 48 kHz float audio out, with libopus.
///
/// The channel count is the stream's own (from the in-band `OpusHead`, else from the first
/// packet's TOC), unless `channels` asks for mono or stereo. Pre-skip from the `OpusHead` is
/// dropped and a packet whose `duration_us` is shorter than what it decodes to is cut (end
/// trimming), so the output has exactly the samples the file holds. Packets are decoded in
/// batches on the node's blocking queue. A packet that fails to decode is counted and skipped;
/// a stream where nothing decodes fails the node.
struct OpusDecoderNode: DefinedNode {
    static let definition = NodeDefinition(
        kind: "audio::opus::decoder",
        description: "Decodes Opus packets to 48 kHz float audio (libopus), in the stream's own channel count, honouring pre-skip and end trimming.",
        categories: ["audio", "codecs", "opus"],
        paramSchema: Schema.object([
            ("channels", Schema.integer("Output channels: 0 = the stream's own, 1 = mono, 2 = stereo.", default: 0, minimum: 0, maximum: 2)),
        ]),
        inputs: [InputPin(name: "in", accepts: [.opusAudio])],
        outputs: [OutputPin(name: "out", produces: .rawAudio(AudioFormat(sampleRate: 48_000, channels: 0)))],
        factory: { params in OpusDecoderNode(channels: params.integer("channels", or: 0)) }
    )

    /// Consecutive undecodable packets after which the input is taken for something else.
    static let maxConsecutiveErrors = 64

    var channels: Int

    var outputPins: [OutputPin] { [OutputPin(name: "out", produces: .rawAudio(AudioFormat(sampleRate: 48_000, channels: channels)))] }

    func run(context: NodeContext) async throws {
        let state = OpusPacketDecoder(forcedChannels: channels)
        var consecutiveErrors = 0
        var decodedAny = false
        var lastError = ""
        var batch: [BinaryPacket] = []

        func flush() async throws {
            guard !batch.isEmpty else { return }
            let work = batch
            batch.removeAll(keepingCapacity: true)
            let box = state
            let decoded = try await context.blocking.run { () -> OpusPacketDecoder.Decoded in box.decode(work) }
            for error in decoded.errors {
                lastError = error
                consecutiveErrors += 1
                context.countErrored()
                context.countDiscarded()
            }
            if !decoded.frames.isEmpty { consecutiveErrors = 0 }
            if consecutiveErrors >= Self.maxConsecutiveErrors {
                throw StreamKitError.codec("the input does not decode as Opus (\(consecutiveErrors) packets in a row failed; last: \(lastError))")
            }
            for frame in decoded.frames {
                decodedAny = true
                try await context.send(.audio(frame))
            }
        }

        func take(_ packet: Packet) async throws {
            switch packet {
            case .binary(let packet):
                if OpusHead.isHead(packet.data) {
                    try await flush()
                    switch OpusHead.parse(packet.data) {
                    case .success(let head): try state.start(head)
                    case .failure(let error): throw StreamKitError.invalidData("invalid OpusHead: \(error)")
                    }
                } else if !OpusHead.isTags(packet.data) {
                    batch.append(packet)
                }
            default:
                context.countDiscarded()
            }
        }

        // Batches, so that one trip to the blocking queue decodes several packets.
        try await context.readInBatches(
            refusingUpdates: "audio::opus::decoder parameters cannot be changed while it runs",
            batched: { batch.count }, take: take, flush: flush
        )
        if context.isShutdownRequested { return }
        if !decodedAny && consecutiveErrors > 0 {
            throw StreamKitError.codec("no packet decoded as Opus (last error: \(lastError))")
        }
    }
}
