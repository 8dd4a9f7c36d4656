/// Lays packets of one logical stream out on Ogg pages (written in Swift rather than with
/// libogg: the page layer is small, and this keeps every byte under our bounds checks).
///
/// Packets are queued with the granule position at their end; `flush` turns everything queued
/// into as few pages as the 255-segment limit allows.
struct OggPageWriter {
    let serial: UInt32
    private var sequence: UInt32 = 0
    private var started = false
    private var queued: [(packet: [UInt8], granuleEnd: Int64)] = []

    init(serial: UInt32) {
        self.serial = serial
    }

    /// Packets queued and not yet on a page.
    var queuedCount: Int { queued.count }

    mutating func append(_ packet: [UInt8], granuleEnd: Int64) {
        queued.append((packet, granuleEnd))
    }

    /// Writes every queued packet on pages; the last page gets `endOfStream` when asked.
    /// With nothing queued and `endOfStream`, writes an empty closing page at `granule`.
    mutating func flush(endOfStream: Bool = false, emptyPageGranule granule: Int64 = 0) -> [UInt8] {
        var out: [UInt8] = []
        if queued.isEmpty {
            if endOfStream { out += page(flags: .endOfStream, granule: granule, lacing: [], body: []) }
            return out
        }
        var lacing: [UInt8] = []
        var body: [UInt8] = []
        var lastGranule: Int64 = -1
        var continued = false
        for (index, item) in queued.enumerated() {
            var remaining = item.packet.count
            var offset = 0
            while true {
                // Segments of 255 bytes, then a final one shorter than 255 (possibly 0) ends the packet.
                let size = min(255, remaining)
                lacing.append(UInt8(size))
                body += item.packet[offset..<offset + size]
                offset += size
                remaining -= size
                let packetEnded = size < 255
                if packetEnded { lastGranule = item.granuleEnd }
                if lacing.count == 255 {
                    let isLast = packetEnded && index == queued.count - 1
                    var flags: OggPage.Flags = continued ? .continued : []
                    if isLast && endOfStream { flags.insert(.endOfStream) }
                    out += page(flags: flags, granule: lastGranule, lacing: lacing, body: body)
                    lacing = []
                    body = []
                    lastGranule = -1
                    continued = !packetEnded
                }
                if packetEnded { break }
            }
        }
        if !lacing.isEmpty {
            var flags: OggPage.Flags = continued ? .continued : []
            if endOfStream { flags.insert(.endOfStream) }
            out += page(flags: flags, granule: lastGranule, lacing: lacing, body: body)
        }
        queued.removeAll(keepingCapacity: true)
        return out
    }

    private mutating func page(flags: OggPage.Flags, granule: Int64, lacing: [UInt8], body: [UInt8]) -> [UInt8] {
        var flags = flags
        if !started {
            flags.insert(.beginOfStream)
            started = true
        }
        let page = OggPage(flags: flags, granulePosition: granule, serial: serial, sequence: sequence, lacing: lacing, body: body)
        sequence &+= 1
        return page.bytes
    }
}
