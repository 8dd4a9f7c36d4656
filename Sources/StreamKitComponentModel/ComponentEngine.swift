import Dispatch
import Synchronization
import WasmKit

/// Shared, thread-safe machinery for running components: one WasmKit engine (with fuel
/// metering, which the CPU budget needs) and the measured fuel rate that turns a time budget
/// into fuel. Create one per process and share it.
public final class ComponentEngine: Sendable {
    let engine: Engine
    private let calibratedRate = Mutex<Double?>(nil)

    public init() {
        engine = Engine(configuration: EngineConfiguration(fuelMetering: true))
    }

    /// Fuel the interpreter burns per second of CPU on this machine, measured once on a small
    /// loop (a few milliseconds, on first use). The CPU budget of a call is this rate times
    /// ``ComponentLimits/cpuBudget``.
    public var fuelPerSecond: Double {
        if let rate = calibratedRate.withLock({ $0 }) { return rate }
        let rate = Self.measureFuelRate(engine: engine)
        calibratedRate.withLock { $0 = rate }
        return rate
    }

    func fuel(for budget: Duration) -> UInt64 {
        let (seconds, attoseconds) = budget.components
        let total = (Double(seconds) + Double(attoseconds) / 1e18) * fuelPerSecond
        return UInt64(max(1, min(total, Double(UInt64.max / 2))))
    }

    /// `(func (export "spin") (param i32) (loop (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
    ///   (br_if 0 (local.get 0))))`, written out so calibration needs no tools.
    static let calibrationModule: [UInt8] = [
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00,
        0x03, 0x02, 0x01, 0x00,
        0x07, 0x08, 0x01, 0x04, 0x73, 0x70, 0x69, 0x6e, 0x00, 0x00,
        0x0a, 0x12, 0x01, 0x10, 0x00, 0x03, 0x40, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00, 0x20, 0x00, 0x0d, 0x00, 0x0b, 0x0b,
    ]

    private static func measureFuelRate(engine: Engine) -> Double {
        // A conservative default (roughly a debug build) if anything about calibration fails.
        let fallback = 50_000_000.0
        guard let module = try? parseWasm(bytes: calibrationModule) else { return fallback }
        let store = Store(engine: engine)
        guard let instance = try? module.instantiate(store: store), let spin = instance.exports[function: "spin"] else { return fallback }
        var iterations: UInt32 = 20_000
        var best = 0.0
        // Grow the loop until one run takes at least 2 ms, then keep the fastest of three runs:
        // the budget must not be cut short by a slow first run (page faults, lazy translation).
        for _ in 0..<12 {
            let start = DispatchTime.now().uptimeNanoseconds
            store.fuel = Fuel(remaining: UInt64.max / 2)
            guard (try? spin([.i32(iterations)])) != nil, let left = store.fuel?.remaining else { return fallback }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let consumed = Double(UInt64.max / 2 - left)
            if elapsed >= 0.002 {
                best = max(best, consumed / elapsed)
                if best > 0, iterations >= 20_000 * 8 { break }
            }
            if elapsed < 0.002 { iterations = iterations.multipliedReportingOverflow(by: 4).overflow ? iterations : iterations * 4 }
        }
        store.fuel = nil
        return best > 0 ? best : fallback
    }
}
