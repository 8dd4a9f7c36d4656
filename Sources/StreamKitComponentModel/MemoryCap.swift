import WasmKit

/// Caps the total size of an instance's linear memories, and remembers a refusal so that the
/// failed call can say which limit was hit (the guest usually turns a failed `memory.grow` into
/// a trap).
///
/// WasmKit 0.4.2 asks the store's one limiter before a memory is created or grows, passing only
/// the size that memory would have, not which memory it is. So the cap keeps the instance's
/// memories (every memory a core instance exports — the memory a component's canonical ABI uses
/// always is) and works out, from their current sizes, the largest total a request can lead to:
///
/// - While a core module is being instantiated, a request may create a new memory: the total
///   is the current total plus the size asked for (nothing is replaced).
/// - Otherwise the request grows one existing memory, one no larger than the size asked for.
///   If exactly one memory qualifies, the total is exact. If several do, the cap assumes the
///   smallest of them grows, which gives the largest possible total: the cap is never passed,
///   at the price of refusing, close to the cap, a growth that would just have fitted. If none
///   does (a memory its module keeps private), the total is the current total plus the size
///   asked for.
///
/// `@unchecked Sendable` (`ResourceLimiter` must be `Sendable`): the cap belongs to one
/// instance, and so to the one thread an instance is confined to; WasmKit calls the limiter on
/// the thread running the guest, and the host calls the rest from the same thread.
final class MemoryCap: ResourceLimiter, @unchecked Sendable {
    let limit: Int
    private var memories: [Memory] = []
    private var isInstantiating = false
    /// The total a refused request would have reached, until ``takeExceeded()`` reads it.
    private var exceeded: Int?

    init(limit: Int) { self.limit = limit }

    func limitMemoryGrowth(to desired: Int) throws -> Bool {
        let sizes = memories.map(\.byteCount)
        let current = sizes.reduce(0, +)
        let replaced = isInstantiating ? 0 : (sizes.filter { $0 <= desired }.min() ?? 0)
        let (sum, overflow) = (current - replaced).addingReportingOverflow(desired)
        let total = overflow ? Int.max : sum
        guard total <= limit else {
            exceeded = total
            throw ComponentError(.memoryLimitExceeded, "memory limit of \(limit) bytes exceeded (the instance's memories would total \(total) bytes)")
        }
        return true
    }

    func limitTableGrowth(to desired: Int) throws -> Bool {
        // Tables hold references, 8–16 bytes each; a million entries is far beyond real guests.
        desired <= 1 << 20
    }

    /// Runs the instantiation of one core module, during which a request may create a memory,
    /// then counts the memories the new instance exports.
    func instantiating(_ body: () throws -> Instance) rethrows -> Instance {
        isInstantiating = true
        defer { isInstantiating = false }
        let instance = try body()
        for (_, value) in instance.exports {
            if case .memory(let memory) = value, !memories.contains(memory) { memories.append(memory) }
        }
        return instance
    }

    /// The current total size of the instance's memories, in bytes.
    var totalBytes: Int { memories.reduce(0) { $0 + $1.byteCount } }

    /// The total a request refused since the last call would have reached, if any; clears it.
    func takeExceeded() -> Int? {
        defer { exceeded = nil }
        return exceeded
    }
}
