/// Reads the primitive encodings of the binary format (LEB128 integers, names, bytes) from a
/// slice of the component binary, throwing ``ComponentParseError`` on any overrun.
///
/// Offsets are absolute (relative to the outermost binary), so errors from nested components
/// still point at the right byte.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var position: Int
    let end: Int
    /// The section being read, attached to every error.
    var section: String?

    init(bytes: [UInt8], range: Range<Int>, section: String? = nil) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
        self.section = section
    }

    var isAtEnd: Bool { position >= end }

    func error(_ message: String, at offset: Int? = nil) -> ComponentParseError {
        ComponentParseError(message, offset: offset ?? position, section: section)
    }

    mutating func readByte() throws(ComponentParseError) -> UInt8 {
        guard position < end else { throw error("unexpected end of data") }
        let byte = bytes[position]
        position += 1
        return byte
    }

    func peekByte() throws(ComponentParseError) -> UInt8 {
        guard position < end else { throw error("unexpected end of data") }
        return bytes[position]
    }

    mutating func readBytes(_ count: Int) throws(ComponentParseError) -> Range<Int> {
        guard count >= 0, count <= end - position else {
            throw error("length \(count) runs past the end of the data")
        }
        let range = position..<(position + count)
        position += count
        return range
    }

    func slice(_ range: Range<Int>) -> [UInt8] { Array(bytes[range]) }

    /// The whole underlying binary, for handing nested ranges to sub-readers.
    var allBytes: [UInt8] { bytes }

    mutating func readU32() throws(ComponentParseError) -> UInt32 {
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
            guard shift < 35 else { throw error("integer representation too long", at: start) }
        }
        guard result <= UInt64(UInt32.max) else { throw error("integer too large", at: start) }
        return UInt32(result)
    }

    /// A signed 33-bit LEB128, as used by `valtype` (negative values are primitive type codes).
    mutating func readS33() throws(ComponentParseError) -> Int64 {
        let start = position
        var result: Int64 = 0
        var shift: Int64 = 0
        var byte: UInt8
        repeat {
            byte = try readByte()
            result |= Int64(byte & 0x7f) << shift
            shift += 7
            guard shift <= 35 else { throw error("integer representation too long", at: start) }
        } while byte & 0x80 != 0
        if shift < 64, byte & 0x40 != 0 {
            result |= -1 << shift
        }
        return result
    }

    mutating func readName() throws(ComponentParseError) -> String {
        let length = try readU32()
        let start = position
        let range = try readBytes(Int(length))
        guard let name = String(validating: bytes[range], as: UTF8.self) else {
            throw error("name is not valid UTF-8", at: start)
        }
        return name
    }

    /// `vec(x)`: a u32 count then that many items. The count is checked against the bytes left
    /// so a hostile count cannot make us reserve gigabytes.
    mutating func readVector<T>(_ item: (inout ByteReader) throws(ComponentParseError) -> T) throws(ComponentParseError) -> [T] {
        let count = try readU32()
        guard Int(count) <= end - position else {
            throw error("vector of \(count) items cannot fit in \(end - position) remaining bytes")
        }
        var items: [T] = []
        items.reserveCapacity(Int(count))
        for _ in 0..<count {
            items.append(try item(&self))
        }
        return items
    }

    /// `x?`: 0x00 for absent, 0x01 then the item.
    mutating func readOptional<T>(_ item: (inout ByteReader) throws(ComponentParseError) -> T) throws(ComponentParseError) -> T? {
        let start = position
        switch try readByte() {
        case 0x00: return nil
        case 0x01: return try item(&self)
        case let other: throw error("invalid optional marker 0x\(String(other, radix: 16))", at: start)
        }
    }
}
