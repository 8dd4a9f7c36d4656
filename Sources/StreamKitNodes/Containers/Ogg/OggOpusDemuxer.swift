import StreamKitCore

/// Ogg Opus (RFC 7845) demultiplexing: pages in, Opus packets out, with timing from granule
/// positions. A value type with no I/O, so that it can be tested on its own.
///
/// What comes out, per logical Opus stream: its `OpusHead` packet (no metadata), then every
/// audio packet with `timestamp_us` (after pre-skip), `duration_us` (the packet's samples, cut
/// at the end-of-stream granule position on the last page) and `sequence`. `OpusTags` is read
/// and dropped. Other logical streams (video, Vorbis, …) are ignored; chained Opus streams
/// follow each other, each with its own `OpusHead`.
struct OggOpusDemuxer {
    /// Largest Opus packet accepted (a packet spanning pages is re-assembled up to this size).
    /// Opus packets are at most 120 ms × 1275 bytes × 6 frames; comment headers with pictures
    /// may be larger, and are dropped rather than held.
    static let maxPacketSize = 256 * 1024
    /// Garbage accepted before the first page, so that a non-Ogg upload fails quickly.
    static let maxLeadingGarbage = 64 * 1024

    struct Output {
        var data: [UInt8]
        var metadata: PacketMetadata?
    }

    private enum Stage { case head, tags, audio }

    private var reader = OggPageReader()
    private var serial: UInt32?
    private var stage = Stage.head
    private var head: OpusHead?
    /// Position (48 kHz samples, pre-skip included) at the start of the next packet; nil until
    /// the first audio page tells it.
    private var position: Int64?
    private var partial: [UInt8] = []
    private var partialTooLarge = false
    private var expectedSequence: UInt32?
    private var sequence: UInt64 = 0
    private(set) var lostPackets = 0
    private(set) var opusStreams = 0

    /// Pages skipped for a bad checksum so far (a file tolerates them until ``finish()``; a live
    /// socket does not).
    var corruptPages: Int { reader.corruptPages }
    /// Bytes skipped because they were not part of a valid page.
    var skippedBytes: Int { reader.skippedBytes }
    /// Whether any valid page was found.
    var foundPage: Bool { reader.foundPage }

    mutating func feed(_ bytes: [UInt8]) throws(StreamKitError) -> [Output] {
        reader.feed(bytes)
        var out: [Output] = []
        while let page = reader.nextPage() {
            try handle(page, into: &out)
        }
        if !reader.foundPage && reader.skippedBytes > Self.maxLeadingGarbage {
            throw .invalidData("not an Ogg stream: no Ogg page in the first \(reader.skippedBytes) bytes")
        }
        return out
    }

    /// Checks the end of the input.
    mutating func finish() throws(StreamKitError) {
        if reader.totalBytes == 0 { throw .invalidData("the Ogg stream is empty (0 bytes)") }
        if !reader.foundPage { throw .invalidData("not an Ogg stream: no Ogg page in \(reader.totalBytes) bytes") }
        if opusStreams == 0 { throw .invalidData("the Ogg stream has no Opus stream (no OpusHead found)") }
        if reader.pendingBytes > 0 {
            throw .invalidData("the Ogg stream is truncated: \(reader.pendingBytes) bytes at the end do not form a complete page")
        }
        if reader.corruptPages > 0 || lostPackets > 0 {
            throw .invalidData("the Ogg stream is corrupted: \(reader.corruptPages) page(s) with a bad checksum, \(lostPackets) packet(s) lost, \(reader.skippedBytes) byte(s) skipped")
        }
        if serial != nil && stage != .audio {
            throw .invalidData("the Ogg Opus stream ends inside its headers")
        }
    }

    private mutating func handle(_ page: OggPage, into out: inout [Output]) throws(StreamKitError) {
        if serial == nil {
            // Only a beginning-of-stream page whose first packet is an OpusHead starts an Opus
            // stream; pages of other logical streams are ignored.
            guard page.flags.contains(.beginOfStream), OpusHead.isHead(Self.firstPacketBytes(page)) else { return }
            serial = page.serial
            stage = .head
            partial = []
            position = nil
            expectedSequence = nil
        }
        guard page.serial == serial else { return }
        if let expected = expectedSequence, page.sequence != expected {
            // A page went missing: the packet that spanned it cannot be rebuilt.
            lostPackets += 1
            partial = []
            partialTooLarge = false
        }
        expectedSequence = page.sequence &+ 1

        var packets: [[UInt8]] = []
        var offset = 0
        var skipContinuation = page.flags.contains(.continued) && partial.isEmpty && !partialTooLarge
        if !page.flags.contains(.continued) && (!partial.isEmpty || partialTooLarge) {
            lostPackets += 1
            partial = []
            partialTooLarge = false
        }
        for value in page.lacing {
            let size = Int(value)
            if !skipContinuation && !partialTooLarge {
                if partial.count + size > Self.maxPacketSize {
                    partialTooLarge = true
                    partial = []
                } else {
                    partial += page.body[offset..<offset + size]
                }
            }
            offset += size
            if size < 255 {
                if skipContinuation {
                    skipContinuation = false
                } else if partialTooLarge {
                    if stage == .audio { throw .invalidData("an Ogg packet is larger than \(Self.maxPacketSize) bytes, too large for Opus") }
                    packets.append([])  // an oversized comment header: dropped, but counted as the header
                } else {
                    packets.append(partial)
                }
                partial = []
                partialTooLarge = false
            }
        }

        var audio: [[UInt8]] = []
        for packet in packets {
            switch stage {
            case .head:
                switch OpusHead.parse(packet) {
                case .success(let parsed):
                    if parsed.mappingFamily != 0 && parsed.channels > 2 {
                        throw .invalidData("multichannel Opus (mapping family \(parsed.mappingFamily), \(parsed.channels) channels) is not supported")
                    }
                    head = parsed
                    opusStreams += 1
                    out.append(Output(data: packet, metadata: nil))
                    stage = .tags
                case .failure(let error):
                    throw .invalidData("invalid OpusHead: \(error)")
                }
            case .tags:
                stage = .audio
                if !OpusHead.isTags(packet) { audio.append(packet) }
            case .audio:
                audio.append(packet)
            }
        }
        try emitAudio(audio, page: page, into: &out)

        if page.flags.contains(.endOfStream) {
            serial = nil
            stage = .head
        }
    }

    /// Granule positions beyond this (about 6,000 years at 48 kHz) are lies; refusing them keeps
    /// the position arithmetic far from overflow.
    static let maxGranule: Int64 = 1 << 53

    private mutating func emitAudio(_ packets: [[UInt8]], page: OggPage, into out: inout [Output]) throws(StreamKitError) {
        guard !packets.isEmpty || page.granulePosition >= 0 else { return }
        if page.granulePosition > Self.maxGranule || (position ?? 0) > Self.maxGranule {
            throw .invalidData("the Ogg stream has an implausible granule position \(page.granulePosition)")
        }
        let durations = packets.map { Int64(OpusPacketInfo.sampleCount($0) ?? 0) }
        let total = durations.reduce(0, +)
        if position == nil {
            // RFC 7845 §4: the first audio page's granule position minus the samples of the
            // packets ending on it gives the start position (normally 0).
            position = page.granulePosition >= 0 ? max(0, page.granulePosition - total) : 0
        }
        let preSkip = Int64(head?.preSkip ?? 0)
        let isEnd = page.flags.contains(.endOfStream) && page.granulePosition >= 0
        for (index, packet) in packets.enumerated() {
            let start = position ?? 0
            var duration = durations[index]
            if isEnd && index == packets.count - 1 {
                // End trimming: the last page's granule position says where the audio ends.
                duration = min(duration, max(0, page.granulePosition - start))
            }
            position = start + durations[index]
            guard !packet.isEmpty else { continue }
            if isEnd && index == packets.count - 1 && duration == 0 { continue }
            sequence += 1
            let metadata = PacketMetadata(
                timestampUs: OpusTime.microseconds(samples: Int(max(0, start - preSkip))),
                durationUs: OpusTime.microseconds(samples: Int(duration)),
                sequence: sequence
            )
            out.append(Output(data: packet, metadata: metadata))
        }
    }

    /// The first packet of a page (or as much of it as the page holds).
    private static func firstPacketBytes(_ page: OggPage) -> [UInt8] {
        var size = 0
        for value in page.lacing {
            size += Int(value)
            if value < 255 { break }
        }
        return Array(page.body.prefix(size))
    }
}
