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
    /// `list<f32>`, e.g. audio samples): one bounds check and one copy.
    func floats(_ pointer: UInt32, count: Int) throws(ComponentError) -> [Float] {
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: 4)
        guard !overflow else { throw .abi("list of \(count) f32 values overflows") }
        let start = try checkRange(pointer, byteCount)
        guard count > 0 else { return [] }
        return memory.withUnsafeBufferPointer(offset: UInt(start), count: byteCount) { source in
            [Float](unsafeUninitializedCapacity: count) { destination, initialized in
                #if _endian(little)
                UnsafeMutableRawBufferPointer(destination).copyMemory(from: UnsafeRawBufferPointer(source))
                #else
                for index in 0..<count {
                    destination[index] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
                }
                #endif
                initialized = count
            }
        }
    }

    /// Writes f32 values as little-endian words in one copy, after one bounds check. NaNs are
    /// written as the canonical NaN, as the canonical ABI requires.
    func writeFloats(_ floats: [Float], at pointer: UInt32) throws(ComponentError) {
        let (byteCount, overflow) = floats.count.multipliedReportingOverflow(by: 4)
        guard !overflow else { throw .abi("list of \(floats.count) f32 values overflows") }
        let start = try checkRange(pointer, byteCount)
        guard byteCount > 0 else { return }
        memory.withUnsafeMutableBufferPointer(offset: UInt(start), count: byteCount) { destination in
            floats.withUnsafeBytes { source in
                #if _endian(little)
                destination.copyMemory(from: source)
                #else
                for (index, value) in floats.enumerated() {
                    destination.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: index * 4, as: UInt32.self)
                }
                #endif
            }
            // Rare: only a list holding NaNs pays for a second pass over the copy.
            if Self.containsNaN(floats) {
                for (index, value) in floats.enumerated() where value.isNaN {
                    destination.storeBytes(of: UInt32(0x7fc0_0000).littleEndian, toByteOffset: index * 4, as: UInt32.self)
                }
            }
        }
    }

    /// Whether any value is a NaN, as one branch-free pass over the bit patterns (the compiler
    /// vectorises it); `contains(where: \.isNaN)` cost a closure call per sample.
    static func containsNaN(_ floats: [Float]) -> Bool {
        floats.withUnsafeBufferPointer { buffer in
            var found: UInt32 = 0
            for value in buffer {
                found |= (value.bitPattern & 0x7fff_ffff) > 0x7f80_0000 ? 1 : 0
            }
            return found != 0
        }
    }
}
