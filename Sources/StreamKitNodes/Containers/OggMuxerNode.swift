import StreamKitCore

/// `containers::ogg::muxer`: Opus packets in, an Ogg Opus file (RFC 7845) out, streamed page
/// by page.
///
/// The `OpusHead` that an encoder or demuxer sends first is written as the stream's ID header,
/// so pre-skip and channel count are the real ones; without one, a header is made from the
/// `channels` and `pre_skip` parameters. Granule positions count each packet's samples (read
/// from its TOC byte), and the last packet's `duration_us` trims the end. A page is closed once
/// it holds `page_duration_ms` of audio, and goes out as soon as the next packet arrives (so the
/// final page, flagged end-of-stream, always carries audio).
struct OggMuxerNode: DefinedNode {
    static let definition = NodeDefinition.container(
        "ogg", .muxer(accepts: [.opusAudio]),
        description: "Muxes Opus packets into a streamed Ogg Opus file (RFC 7845: OpusHead, OpusTags, granule positions, pre-skip, end-of-stream page).",
        paramSchema: Schema.object([
            // No default: RFC 3533 asks for serials unique among the streams a file may be chained
            // with, so an absent serial is random (the original wrote 0).
            ("stream_serial", Schema.integer("Serial number of the logical stream (random when absent).", minimum: 0, maximum: Int(UInt32.max))),
            ("codec", Schema.string("Codec of the stream (only Opus).", default: "opus", oneOf: ["opus"])),
            ("channels", Schema.integer("Channel count written when no OpusHead comes in-band.", default: 1, minimum: 1, maximum: 2)),
            ("pre_skip", Schema.integer("Pre-skip (48 kHz samples) written when no OpusHead comes in-band (libopus' usual delay).", default: 312, minimum: 0, maximum: 65_535)),
            ("page_duration_ms", Schema.integer("Audio per Ogg page before it is sent (0: one packet per page).", default: 100, minimum: 0, maximum: 1000)),
            ("chunk_size", Schema.integer("Accepted for compatibility; pages are sent as they close.", default: 65_536, minimum: 1)),
        ]),
        factory: { params in
            OggMuxerNode(
                serial: params["stream_serial"]?.intValue.map { UInt32(clamping: $0) } ?? UInt32.random(in: 1...UInt32.max),
                channels: params.integer("channels", or: 1),
                preSkip: params.integer("pre_skip", or: 312),
                pageDurationSamples: params.integer("page_duration_ms", or: 100) * 48
            )
        }
    )

    var serial: UInt32
    var channels: Int
    var preSkip: Int
    var pageDurationSamples: Int

    var contentType: String? { "audio/ogg" }

    func run(context: NodeContext) async throws {
        var pager: OggOpusPager?
        var currentHead: OpusHead?
        var nextSerial = serial
        var pageSamples = 0

        func send(_ bytes: [UInt8]) async throws {
            guard !bytes.isEmpty else { return }
            try await context.send(.binary(BinaryPacket(data: bytes, contentType: "audio/ogg")))
        }

        /// Starts a logical stream: the ID header and the comment header, each on its own page.
        func begin(_ head: OpusHead) async throws {
            var newPager = OggOpusPager(serial: nextSerial)
            nextSerial &+= 1
            let bytes = newPager.headers(head)
            pager = newPager
            currentHead = head
            pageSamples = 0
            try await send(bytes)
        }

        func end() async throws {
            guard var current = pager else { return }
            try await send(current.flush(endOfStream: true))
            pager = nil
        }

        while let input = try await context.nextOpusMuxerInput(muxer: "containers::ogg::muxer") {
            switch input {
            case .head(let head):
                if head == currentHead { continue }
                // A new stream (e.g. the encoder restarted): end this one and chain a new one.
                try await end()
                try await begin(head)
            case .audio(let packet):
                if pager == nil {
                    try await begin(OpusHead(channels: channels, preSkip: preSkip, inputSampleRate: 48_000))
                }
                guard var current = pager else { continue }
                // A page that holds enough audio goes out when the next packet arrives, so that
                // the last page (flagged end-of-stream at the end) is never empty.
                if pageSamples >= pageDurationSamples && current.queuedCount > 0 {
                    try await send(current.flush())
                    pageSamples = 0
                }
                pageSamples += packet.samples
                current.append(packet.data, samples: packet.keptSamples)
                pager = current
            }
        }
        if context.isShutdownRequested { return }
        if pager == nil && currentHead == nil {
            // No packet at all: still a valid (empty) Ogg Opus stream.
            try await begin(OpusHead(channels: channels, preSkip: preSkip, inputSampleRate: 48_000))
        }
        try await end()
    }
}
