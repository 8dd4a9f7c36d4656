import StreamKitCore

/// One logical Ogg Opus stream being written (RFC 7845): the ID header and the comment header,
/// each on its own page, then audio pages whose granule positions count 48 kHz samples.
///
/// Used by `containers::ogg::muxer` for its headers and, page by page, by the media sockets: every
/// Ogg/Opus client of a `transport::websocket::output` node gets a pager of its own, so each one
/// receives a complete stream starting with headers, whenever it connects.
struct OggOpusPager: Sendable {
    static let vendor = "StreamKit for Swift"

    private var writer: OggPageWriter
    /// Granule position (48 kHz samples, pre-skip included) at the end of the last packet.
    private(set) var granule: Int64 = 0

    init(serial: UInt32) {
        writer = OggPageWriter(serial: serial)
    }

    /// The two header pages: `OpusHead`, then `OpusTags`.
    mutating func headers(_ head: OpusHead) -> [UInt8] {
        writer.append(head.bytes, granuleEnd: 0)
        var bytes = writer.flush()
        writer.append(OpusHead.tags(vendor: Self.vendor), granuleEnd: 0)
        bytes += writer.flush()
        return bytes
    }

    /// Queues an audio packet that decodes to `samples` (48 kHz) samples.
    mutating func append(_ packet: [UInt8], samples: Int) {
        granule += Int64(samples)
        writer.append(packet, granuleEnd: granule)
    }

    /// Puts each Opus packet on a page of its own, so a live receiver can decode each page as it
    /// arrives; with `endOfStream`, the last page is flagged (an empty one if there are no packets).
    mutating func pages(_ packets: [BinaryPacket], endOfStream: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        for (index, packet) in packets.enumerated() {
            append(packet.data, samples: OpusStreamEncoder.samples48(packet))
            bytes += flush(endOfStream: endOfStream && index == packets.count - 1)
        }
        if endOfStream && packets.isEmpty { bytes += flush(endOfStream: true) }
        return bytes
    }

    /// Packets queued and not yet on a page.
    var queuedCount: Int { writer.queuedCount }

    /// Puts every queued packet on pages; `endOfStream` flags the last one.
    mutating func flush(endOfStream: Bool = false) -> [UInt8] {
        writer.flush(endOfStream: endOfStream, emptyPageGranule: granule)
    }
}
