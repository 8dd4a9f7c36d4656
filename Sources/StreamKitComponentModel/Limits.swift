import Synchronization
import WasmKit

/// Per-instance resource limits.
///
/// Exceeding either limit ends the call with ``ComponentError/Code/cpuBudgetExceeded`` or
/// ``ComponentError/Code/memoryLimitExceeded``, whose message names the limit.
public struct ComponentLimits: Sendable, Equatable {
    /// CPU time one call from the host into the component may use, including everything the
    /// guest does before returning (but not time spent inside host functions). (Default: 50 ms)
    ///
    /// WasmKit 0.4.2 has fuel metering but no deadline or interrupt, so the budget is turned
    /// into fuel with a rate measured once per ``ComponentEngine`` (see
    /// ``ComponentEngine/fuelPerSecond``).
    public var cpuBudget: Duration
    /// The largest size any linear memory of the instance may grow to, in bytes. (Default: 64 MiB)
    public var memoryLimit: Int
    /// CPU time instantiation may use, and calls the host marks as start-up (a constructor that
    /// initialises a language runtime, say). (Default: 60 s)
    public var startupBudget: Duration

    public init(cpuBudget: Duration = .milliseconds(50), memoryLimit: Int = 64 << 20, startupBudget: Duration = .seconds(60)) {
        self.cpuBudget = cpuBudget
        self.memoryLimit = memoryLimit
        self.startupBudget = startupBudget
    }

    var cpuBudgetDescription: String { Self.describe(cpuBudget) }
    var startupBudgetDescription: String { Self.describe(startupBudget) }

    static func describe(_ budget: Duration) -> String {
        let (seconds, attoseconds) = budget.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return "\(milliseconds.formatted()) ms"
    }
}

extension Double {
    func formatted() -> String {
        self == rounded() ? String(Int(self)) : String(self)
    }
}

/// Refuses memory growth past the cap, and remembers that it did so the failed call can say
/// which limit was hit (the guest usually turns a failed `memory.grow` into a trap).
final class MemoryCap: ResourceLimiter {
    let limit: Int
    private let exceeded = Mutex<Int?>(nil)

    init(limit: Int) { self.limit = limit }

    func limitMemoryGrowth(to desired: Int) throws -> Bool {
        guard desired <= limit else {
            exceeded.withLock { $0 = desired }
            throw ComponentError(.memoryLimitExceeded, "memory limit of \(limit) bytes exceeded (a memory asked for \(desired) bytes)")
        }
        return true
    }

    func limitTableGrowth(to desired: Int) throws -> Bool {
        // Tables hold references, 8–16 bytes each; a million entries is far beyond real guests.
        desired <= 1 << 20
    }

    /// The size that was refused since the last call, if any; clears it.
    func takeExceeded() -> Int? {
        exceeded.withLock { value in
            defer { value = nil }
            return value
        }
    }
}
