import StreamKitCore

/// `containers::webm::muxer`: Opus packets in, a WebM file with one Opus track out.
///
/// `live` (the default) streams: the header and first block go out with the first packet,
/// then every block as it comes, with unknown-size Segment and Clusters (nothing is patched
/// afterwards). `file` writes the whole file at the end with sizes and a Duration. The
/// in-band `OpusHead` (from the encoder) becomes the track's CodecPrivate and CodecDelay;
/// without one, a header is made from `channels` and `sample_rate` with libopus' usual delay.
struct WebMMuxerNode: DefinedNode {
    static let definition = NodeDefinition.container(
        "webm", .muxer(accepts: [.opusAudio]),
        description: "Muxes Opus packets into WebM (live: streamed with unknown sizes; file: written at the end with a duration).",
        paramSchema: Schema.object([
            ("sample_rate", Schema.integer("Input sample rate recorded in the Opus header when none comes in-band.", default: 48_000, minimum: 1, maximum: 768_000)),
            ("channels", Schema.integer("Channel count used when no OpusHead comes in-band.", default: 2, minimum: 1, maximum: 2)),
            ("chunk_size", Schema.integer("Accepted for compatibility; live mode sends each block as it is made.", default: 65_536, minimum: 1)),
            ("streaming_mode", Schema.string("live: stream as packets come (default); file: one complete file at the end.", default: "live", oneOf: ["live", "file"])),
        ]),
        factory: { params in
            WebMMuxerNode(
                sampleRate: params.integer("sample_rate", or: 48_000),
                channels: params.integer("channels", or: 2),
                mode: WebMOpusWriter.Mode(rawValue: params.string("streaming_mode", or: "live")) ?? .live
            )
        }
    )

    static let contentType = "audio/webm"

    var sampleRate: Int
    var channels: Int
    var mode: WebMOpusWriter.Mode

    var contentType: String? { Self.contentType }

    func run(context: NodeContext) async throws {
        var writer: WebMOpusWriter?
        var fallbackHead: OpusHead { OpusHead(channels: channels, preSkip: 312, inputSampleRate: sampleRate) }

        func send(_ bytes: [UInt8], metadata: PacketMetadata? = nil) async throws {
            guard !bytes.isEmpty else { return }
            try await context.send(.binary(BinaryPacket(data: bytes, contentType: Self.contentType, metadata: metadata)))
        }

        while let input = try await context.nextOpusMuxerInput(muxer: "containers::webm::muxer") {
            switch input {
            case .head(let head):
                if writer == nil {
                    let created = WebMOpusWriter(mode: mode, head: head)
                    writer = created
                    try await send(created.header())
                } else if head.channels != writer?.head.channels {
                    // A WebM track has one format; a new stream with other channels cannot follow.
                    throw StreamKitError.invalidData("containers::webm::muxer: the Opus stream changed from \(writer?.head.channels ?? 0) to \(head.channels) channels mid-stream")
                }
            case .audio(let packet):
                if writer == nil {
                    let created = WebMOpusWriter(mode: mode, head: fallbackHead)
                    writer = created
                    try await send(created.header())
                }
                guard var current = writer else { continue }
                let bytes = current.append(packet.data, samples: packet.samples, keptSamples: packet.keptSamples)
                writer = current
                try await send(bytes, metadata: packet.metadata)
            }
        }
        if context.isShutdownRequested { return }
        if writer == nil {
            let created = WebMOpusWriter(mode: mode, head: fallbackHead)
            writer = created
            try await send(created.header())
        }
        guard var current = writer else { return }
        try await send(current.finish())
    }
}
