#if canImport(Glibc)
import Glibc
#endif

/// JavaScriptCore options the script node depends on, set once before the first VM exists
/// (JavaScriptCore reads `JSC_*` environment variables when it initialises its options).
enum JSCEngineOptions {
    /// Call before creating the first context group; later calls do nothing.
    static func apply() { _ = applied }

    /// `usePollingTraps`: JIT-compiled loops check for the watchdog's trap on each back edge instead
    /// of being interrupted by a signal. With signal-based traps, a tight loop (`while (true) {}`)
    /// compiled by the optimising tiers was measured to miss the watchdog in 6 of 8 runs here, so
    /// `timeout_ms` never stopped it and its thread spun on after the run; with polling traps,
    /// 0 of 10. An operator's own `JSC_usePollingTraps` is kept.
    private static let applied: Void = {
        setenv("JSC_usePollingTraps", "1", 0)
    }()
}
