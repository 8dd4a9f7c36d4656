import WasmKit

/// Bounds-checked access to a guest's linear memory.
///
/// Every pointer and length a guest hands us goes through ``checkRange(_:_:)`` before it is
/// touched: WasmKit's own accessors treat an out-of-bounds range as a programmer error (a
/// precondition), so an unchecked guest pointer would crash the host.
struct GuestMemoryView {
    let memory: Memory

    func checkRange(_ pointer: UInt32, _ length: Int) throws(ComponentError) -> Int {
        let start = Int(pointer)
        let (end, overflow) = start.addingReportingOverflow(length)
        guard !overflow, length >= 0, end <= memory.byteCount else {
            throw .abi("guest range 0x\(String(pointer, radix: 16))+\(length) is out of bounds of a \(memory.byteCount)-byte memory")
        }
        return start
    }

    func load<T: FixedWidthInteger>(_ pointer: UInt32, as type: T.Type = T.self) throws(ComponentError) -> T {
        let start = try checkRange(pointer, MemoryLayout<T>.size)
        return memory.withUnsafeBufferPointer(offset: UInt(start), count: MemoryLayout<T>.size) { buffer in
            T(littleEndian: buffer.loadUnaligned(as: T.self))
        }
    }

    func store<T: FixedWidthInteger>(_ value: T, at pointer: UInt32) throws(ComponentError) {
        let start = try checkRange(pointer, MemoryLayout<T>.size)
        memory.withUnsafeMutableBufferPointer(offset: UInt(start), count: MemoryLayout<T>.size) { buffer in
            buffer.storeBytes(of: value.littleEndian, as: T.self)
        }
    }

    func bytes(_ pointer: UInt32, _ length: Int) throws(ComponentError) -> [UInt8] {
        let start = try checkRange(pointer, length)
        return memory.withUnsafeBufferPointer(offset: UInt(start), count: length) { Array($0) }
    }

    func write<C: Collection>(_ bytes: C, at pointer: UInt32) throws(ComponentError) where C.Element == UInt8 {
        let start = try checkRange(pointer, bytes.count)
        memory.withUnsafeMutableBufferPointer(offset: UInt(start), count: bytes.count) { buffer in
            _ = buffer.copyBytes(from: bytes)
        }
    }

    /// Reads `count` little-endian f32 values straight into a Swift array (the hot path of
    /// `list<f32>`, e.g. audio samples).
    func floats(_ pointer: UInt32, count: Int) throws(ComponentError) -> [Float] {
        let start = try checkRange(pointer, count * 4)
        return memory.withUnsafeBufferPointer(offset: UInt(start), count: count * 4) { buffer in
            (0..<count).map { Float(bitPattern: UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}
