/// Finds Ogg pages in a byte stream that arrives in arbitrary pieces.
///
/// Memory stays bounded: at most one page (≤ 65,307 bytes) plus one input piece is held.
/// Bytes that do not start a page with a valid checksum are skipped one at a time until the
/// next capture pattern (the resynchronisation RFC 3533 describes), and counted.
struct OggPageReader {
    /// The largest possible page: a 27-byte header, 255 lacing values, 255 × 255 bytes of body.
    static let maxPageSize = 27 + 255 + 255 * 255

    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes skipped because they were not part of a valid page.
    private(set) var skippedBytes = 0
    /// Pages whose checksum did not match (skipped).
    private(set) var corruptPages = 0
    /// Whether any valid page was found.
    private(set) var foundPage = false
    /// Bytes fed in total.
    private(set) var totalBytes = 0

    /// Bytes held that do not (yet) form a page.
    var pendingBytes: Int { buffer.count - start }

    mutating func feed(_ bytes: [UInt8]) {
        totalBytes += bytes.count
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer += bytes
    }

    /// The next complete, valid page, or nil when more bytes are needed.
    mutating func nextPage() -> OggPage? {
        while true {
            let available = buffer.count - start
            guard available >= OggPage.headerSize else { return nil }
            let found: OggPage?? = buffer.withUnsafeBufferPointer { bytes -> OggPage?? in
                let base = start
                guard bytes[base] == 0x4F, bytes[base + 1] == 0x67, bytes[base + 2] == 0x67, bytes[base + 3] == 0x53, bytes[base + 4] == 0 else {
                    return .some(nil)  // not a page here: skip a byte
                }
                let segmentCount = Int(bytes[base + 26])
                let headerEnd = base + OggPage.headerSize + segmentCount
                guard headerEnd <= bytes.count else { return .none }  // need more bytes
                var bodySize = 0
                for index in (base + OggPage.headerSize)..<headerEnd { bodySize += Int(bytes[index]) }
                let pageEnd = headerEnd + bodySize
                guard pageEnd <= bytes.count else { return .none }
                let stored = UInt32(bytes[base + 22]) | UInt32(bytes[base + 23]) << 8 | UInt32(bytes[base + 24]) << 16 | UInt32(bytes[base + 25]) << 24
                var header = Array(bytes[base..<headerEnd])
                header[22] = 0; header[23] = 0; header[24] = 0; header[25] = 0
                // The checksum covers the header (with a zero checksum field) and then the body.
                let computed = OggCRC.update(OggCRC.checksum(header), UnsafeBufferPointer(rebasing: bytes[headerEnd..<pageEnd]))
                guard computed == stored else { return .some(nil) }
                var granule: UInt64 = 0
                for index in 0..<8 { granule |= UInt64(bytes[base + 6 + index]) << UInt64(8 * index) }
                var serial: UInt32 = 0
                var sequence: UInt32 = 0
                for index in 0..<4 {
                    serial |= UInt32(bytes[base + 14 + index]) << UInt32(8 * index)
                    sequence |= UInt32(bytes[base + 18 + index]) << UInt32(8 * index)
                }
                return .some(OggPage(
                    flags: OggPage.Flags(rawValue: bytes[base + 5]),
                    granulePosition: Int64(bitPattern: granule),
                    serial: serial,
                    sequence: sequence,
                    lacing: Array(bytes[(base + OggPage.headerSize)..<headerEnd]),
                    body: Array(bytes[headerEnd..<pageEnd])
                ))
            }
            switch found {
            case .none:
                return nil
            case .some(.none):
                if buffer[start] == 0x4F && buffer.count - start >= 4 && buffer[start + 1] == 0x67 && buffer[start + 2] == 0x67 && buffer[start + 3] == 0x53 {
                    corruptPages += 1
                }
                start += 1
                skippedBytes += 1
                // Skip to the next possible capture pattern at once rather than byte by byte.
                while start < buffer.count && buffer[start] != 0x4F {
                    start += 1
                    skippedBytes += 1
                }
            case .some(.some(let page)):
                start += OggPage.headerSize + page.lacing.count + page.body.count
                foundPage = true
                return page
            }
        }
    }
}
