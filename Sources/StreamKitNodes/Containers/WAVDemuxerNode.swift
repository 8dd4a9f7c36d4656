import StreamKitCore

/// `containers::wav::demuxer`: reads a WAV byte stream (PCM 8/16/24/32-bit, float 32/64, any
/// rate and channel count) and sends float audio frames at the file's own rate and channels.
struct WAVDemuxerNode: DefinedNode {
    static let definition = NodeDefinition.container(
        "wav", .demuxer(produces: .anyRawAudio),
        description: "Decodes a WAV stream into audio frames (PCM s16/s24/s32/u8, float 32/64; the file's own rate and channels).",
        paramSchema: Schema.object([
            ("frame_size", Schema.integer("Maximum frames per channel in each output frame.", default: 4096, minimum: 1, maximum: 1 << 20)),
        ]),
        factory: { params in WAVDemuxerNode(frameSize: params.integer("frame_size", or: 4096)) }
    )

    var frameSize: Int

    var contentType: String? { "audio/wav" }

    func run(context: NodeContext) async throws {
        var parser = WAVStreamParser(maxFramesPerChunk: frameSize)
        var timeline = AudioTimeline()
        var receivedAny = false

        func send(_ chunks: [[Float]], format: WAVFormat?) async throws {
            guard let format else { return }
            for samples in chunks where !samples.isEmpty {
                let metadata = timeline.stamp(frameCount: samples.count / format.channels, sampleRate: format.sampleRate)
                try await context.send(.audio(AudioFrame(sampleRate: format.sampleRate, channels: format.channels, samples: samples, metadata: metadata)))
            }
        }

        while let packet = await context.nextPacket(refusingUpdates: "containers::wav::demuxer has no live parameters") {
            switch packet {
            case .binary(let binary):
                receivedAny = receivedAny || !binary.data.isEmpty
                do {
                    let chunks = try parser.feed(binary.data)
                    try await send(chunks, format: parser.format)
                } catch let error as WAVError {
                    context.countErrored()
                    throw StreamKitError.invalidData(error.message)
                }
            default:
                context.countDiscarded()
            }
        }
        if context.isShutdownRequested { return }
        guard receivedAny else {
            throw StreamKitError.invalidData("the WAV stream is empty (0 bytes)")
        }
        do {
            try await send(try parser.finish(), format: parser.format)
        } catch let error as WAVError {
            context.countErrored()
            throw StreamKitError.invalidData(error.message)
        }
    }
}
