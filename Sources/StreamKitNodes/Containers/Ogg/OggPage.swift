/// One Ogg page (RFC 3533 §6): a header and the segments of the packets it carries.
struct OggPage: Sendable {
    /// Header type flags.
    struct Flags: OptionSet, Sendable {
        let rawValue: UInt8
        /// The page starts with the rest of a packet begun on the previous page.
        static let continued = Flags(rawValue: 0x01)
        /// First page of a logical stream.
        static let beginOfStream = Flags(rawValue: 0x02)
        /// Last page of a logical stream.
        static let endOfStream = Flags(rawValue: 0x04)
    }

    static let capturePattern: [UInt8] = Array("OggS".utf8)
    static let headerSize = 27

    var flags: Flags
    /// Codec-defined position (for Opus: 48 kHz samples at the end of the last packet that
    /// finishes on this page); -1 when no packet finishes here.
    var granulePosition: Int64
    var serial: UInt32
    var sequence: UInt32
    /// Lacing values: a packet is the sum of its segments, ended by one shorter than 255.
    var lacing: [UInt8]
    var body: [UInt8]

    /// The page as bytes, with its checksum.
    var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(Self.headerSize + lacing.count + body.count)
        out += Self.capturePattern
        out.append(0)  // stream structure version
        out.append(flags.rawValue)
        let granule = UInt64(bitPattern: granulePosition)
        for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: granule >> UInt64(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: serial >> UInt32(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: sequence >> UInt32(shift))) }
        out += [0, 0, 0, 0]  // checksum, filled below
        out.append(UInt8(lacing.count))
        out += lacing
        out += body
        let crc = OggCRC.checksum(out)
        for (index, shift) in stride(from: 0, to: 32, by: 8).enumerated() { out[22 + index] = UInt8(truncatingIfNeeded: crc >> UInt32(shift)) }
        return out
    }
}
