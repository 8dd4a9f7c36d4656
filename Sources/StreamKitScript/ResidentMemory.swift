#if canImport(Glibc)
import Glibc
#endif

/// The process's resident memory, read cheaply (one `pread` of `/proc/self/statm`, a few µs).
///
/// JavaScriptCore's exact heap figure (`JSGetMemoryUsageStatistics`) walks the whole heap (0.7 ms for an
/// empty VM, 16 ms with 200 000 objects), too slow to poll. Growth of resident memory is the cheap
/// signal that tells a runtime when the exact figure is worth reading.
enum ResidentMemory {
    private static let descriptor: Int32 = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Resident bytes, or nil where `/proc` is not available.
    static func bytes() -> Int? {
        guard descriptor >= 0 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 96) { buffer -> Int? in
            guard let base = buffer.baseAddress else { return nil }
            let count = pread(descriptor, base, 96, 0)
            guard count > 0 else { return nil }
            // "size resident shared …": the second field.
            var field = 0
            var value = 0
            for index in 0..<count {
                let byte = buffer[index]
                if byte == UInt8(ascii: " ") {
                    if field == 1 { break }
                    field += 1
                    continue
                }
                if field == 1, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                    value = value * 10 + Int(byte - UInt8(ascii: "0"))
                }
            }
            return value * pageSize
        }
    }
}
