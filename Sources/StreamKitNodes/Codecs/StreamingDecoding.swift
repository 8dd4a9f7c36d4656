import StreamKitCore

/// A decoder fed with the bytes of a file as they arrive (FLAC, MP3), producing audio frames.
///
/// Implementations wrap C decoders: they are used by one node, one call at a time, on that
/// node's serial blocking queue.
protocol StreamingAudioDecoder: AnyObject, Sendable {
    /// Takes the next bytes of the stream; returns the frames they completed.
    func feed(_ bytes: [UInt8]) throws -> [AudioFrame]
    /// The input has ended: returns the last frames, or throws if the stream was broken.
    func finish() throws -> [AudioFrame]
}

/// The run loop shared by the byte-stream decoder nodes: binary packets in, audio frames out,
/// with the decoding on the node's blocking queue and timestamps from the sample count.
enum StreamingDecoderLoop {
    static func run(kind: String, context: NodeContext, decoder: any StreamingAudioDecoder) async throws {
        var timeline = AudioTimeline()
        var receivedBytes = 0

        func send(_ frames: [AudioFrame]) async throws {
            for var frame in frames where frame.frameCount > 0 && frame.sampleRate > 0 {
                frame.metadata = timeline.stamp(frameCount: frame.frameCount, sampleRate: frame.sampleRate)
                try await context.send(.audio(frame))
            }
        }

        while let packet = await context.nextPacket(refusingUpdates: "\(kind) has no live parameters") {
            switch packet {
            case .binary(let binary):
                guard !binary.data.isEmpty else { continue }
                receivedBytes += binary.data.count
                let data = binary.data
                let frames: [AudioFrame]
                do {
                    frames = try await context.blocking.run { try decoder.feed(data) }
                } catch {
                    context.countErrored()
                    throw error
                }
                try await send(frames)
            default:
                context.countDiscarded()
            }
        }
        if context.isShutdownRequested { return }
        guard receivedBytes > 0 else {
            throw StreamKitError.invalidData("\(kind): the input is empty (0 bytes)")
        }
        do {
            try await send(try await context.blocking.run { try decoder.finish() })
        } catch {
            context.countErrored()
            throw error
        }
    }
}
