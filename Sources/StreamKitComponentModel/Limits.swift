/// Per-instance resource limits.
///
/// Exceeding either limit ends the call with ``ComponentError/Code/cpuBudgetExceeded`` or
/// ``ComponentError/Code/memoryLimitExceeded``, whose message names the limit.
public struct ComponentLimits: Sendable, Equatable {
    /// CPU time one call from the host into the component may use: the calling thread's CPU
    /// clock from the call until it returns — the guest's code and the host work it asks for on
    /// that thread (marshaling, WASI, `send-output`, ...). Time the thread spends waiting does
    /// not count. (Default: 50 ms)
    ///
    /// Enforced while the guest runs by a watchdog thread, which stops a call within about a
    /// millisecond (plus scheduling delay) of its budget; a call that ends over its budget fails
    /// too. The error says how much it used.
    /// WasmKit translates a function on its first call, and that counts too: the first calls
    /// of a new instance cost more than later ones.
    public var cpuBudget: Duration
    /// The largest total size of all the instance's linear memories together, in bytes.
    /// (Default: 64 MiB)
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

    /// CPU time used, in milliseconds with one decimal ("51.3 ms"), for messages.
    static func describeUsed(nanoseconds: UInt64) -> String {
        let tenths = (nanoseconds + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10) ms"
    }
}

extension Double {
    func formatted() -> String {
        self == rounded() ? String(Int(self)) : String(self)
    }
}
