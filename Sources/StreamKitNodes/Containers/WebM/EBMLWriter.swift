/// Writes EBML elements (the binary format of Matroska and WebM), in Swift: the subset a
/// muxer needs — unsigned integers, floats, strings, binary, nested masters, and masters of
/// unknown size for live streams that are never seeked back into.
enum EBML {
    /// The "size unknown" marker: an 8-byte vint with every value bit set.
    static let unknownSize: [UInt8] = [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]

    /// An element ID as written (IDs keep their length marker: 0x1A45DFA3 is 4 bytes).
    static func id(_ value: UInt32) -> [UInt8] {
        if value > 0xFF_FFFF { return [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)] }
        if value > 0xFFFF { return [UInt8(value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)] }
        if value > 0xFF { return [UInt8(value >> 8), UInt8(truncatingIfNeeded: value)] }
        return [UInt8(value)]
    }

    /// A data size as a variable-length integer of the fewest bytes (all-ones is reserved).
    static func size(_ value: Int) -> [UInt8] {
        var length = 1
        while length < 8 && UInt64(value) >= (UInt64(1) << UInt64(7 * length)) - 1 { length += 1 }
        var out = [UInt8](repeating: 0, count: length)
        var remaining = UInt64(value)
        for index in stride(from: length - 1, through: 0, by: -1) {
            out[index] = UInt8(truncatingIfNeeded: remaining)
            remaining >>= 8
        }
        out[0] |= UInt8(0x80 >> (length - 1))
        return out
    }

    static func element(_ id: UInt32, _ payload: [UInt8]) -> [UInt8] {
        Self.id(id) + size(payload.count) + payload
    }

    static func master(_ id: UInt32, _ children: [[UInt8]]) -> [UInt8] {
        element(id, children.flatMap { $0 })
    }

    static func uint(_ id: UInt32, _ value: UInt64) -> [UInt8] {
        element(id, bigEndian(value) { rest, _ in rest == 0 })
    }

    /// A signed integer (two's complement, big-endian, fewest bytes that keep the sign).
    static func int(_ id: UInt32, _ value: Int64) -> [UInt8] {
        element(id, bigEndian(value) { rest, top in (rest == 0 && top & 0x80 == 0) || (rest == -1 && top & 0x80 != 0) })
    }

    /// The big-endian bytes of `value`, least significant first taken, until `isComplete(rest,
    /// topByte)` says the bytes so far stand for the whole value (at least one byte).
    private static func bigEndian<Value: FixedWidthInteger>(_ value: Value, isComplete: (Value, UInt8) -> Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        var remaining = value
        repeat {
            bytes.insert(UInt8(truncatingIfNeeded: remaining), at: 0)
            remaining >>= 8
        } while !isComplete(remaining, bytes[0])
        return bytes
    }

    static func float(_ id: UInt32, _ value: Double) -> [UInt8] {
        let bits = value.bitPattern
        return element(id, (0..<8).map { UInt8(truncatingIfNeeded: bits >> UInt64(56 - 8 * $0)) })
    }

    static func string(_ id: UInt32, _ value: String) -> [UInt8] {
        element(id, Array(value.utf8))
    }

    /// The start of a master element whose size is not known when it is written.
    static func openMaster(_ id: UInt32) -> [UInt8] {
        Self.id(id) + unknownSize
    }
}

/// Matroska element IDs used by the WebM muxer.
enum MatroskaID {
    static let ebml: UInt32 = 0x1A45_DFA3
    static let ebmlVersion: UInt32 = 0x4286
    static let ebmlReadVersion: UInt32 = 0x42F7
    static let ebmlMaxIDLength: UInt32 = 0x42F2
    static let ebmlMaxSizeLength: UInt32 = 0x42F3
    static let docType: UInt32 = 0x4282
    static let docTypeVersion: UInt32 = 0x4287
    static let docTypeReadVersion: UInt32 = 0x4285
    static let segment: UInt32 = 0x1853_8067
    static let info: UInt32 = 0x1549_A966
    static let timestampScale: UInt32 = 0x2A_D7B1
    static let duration: UInt32 = 0x4489
    static let muxingApp: UInt32 = 0x4D80
    static let writingApp: UInt32 = 0x5741
    static let tracks: UInt32 = 0x1654_AE6B
    static let trackEntry: UInt32 = 0xAE
    static let trackNumber: UInt32 = 0xD7
    static let trackUID: UInt32 = 0x73C5
    static let trackType: UInt32 = 0x83
    static let codecID: UInt32 = 0x86
    static let codecPrivate: UInt32 = 0x63A2
    static let codecDelay: UInt32 = 0x56AA
    static let seekPreRoll: UInt32 = 0x56BB
    static let audio: UInt32 = 0xE1
    static let samplingFrequency: UInt32 = 0xB5
    static let channels: UInt32 = 0x9F
    static let cluster: UInt32 = 0x1F43_B675
    static let timestamp: UInt32 = 0xE7
    static let simpleBlock: UInt32 = 0xA3
    static let blockGroup: UInt32 = 0xA0
    static let block: UInt32 = 0xA1
    static let discardPadding: UInt32 = 0x75A2
}
