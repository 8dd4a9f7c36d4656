import StreamKitCore

/// `containers::ogg::demuxer`: Ogg Opus bytes in, Opus packets out (RFC 7845).
///
/// The stream's `OpusHead` goes out first, so the decoder knows the channel count and pre-skip;
/// audio packets carry timestamps and durations from the granule positions, the last one cut
/// to the end-of-stream position. Broken input (not Ogg, truncated, bad checksums, no Opus
/// stream, an empty upload) fails the node with a message saying which.
struct OggDemuxerNode: DefinedNode {
    static let definition = NodeDefinition.container(
        "ogg", .demuxer(produces: .opusAudio),
        description: "Demuxes Ogg Opus (RFC 7845) into Opus packets: the OpusHead first, then audio packets with timestamps from granule positions.",
        paramSchema: Schema.empty,
        factory: { _ in OggDemuxerNode() }
    )

    func run(context: NodeContext) async throws {
        var demuxer = OggOpusDemuxer()
        while let packet = await context.nextPacket(refusingUpdates: "containers::ogg::demuxer has no live parameters") {
            switch packet {
            case .binary(let binary):
                let outputs: [OggOpusDemuxer.Output]
                do {
                    outputs = try demuxer.feed(binary.data)
                } catch {
                    context.countErrored()
                    throw error
                }
                for output in outputs {
                    try await context.send(.binary(BinaryPacket(data: output.data, metadata: output.metadata)))
                }
            default:
                context.countDiscarded()
            }
        }
        if context.isShutdownRequested { return }
        do {
            try demuxer.finish()
        } catch {
            context.countErrored()
            throw error
        }
    }
}
