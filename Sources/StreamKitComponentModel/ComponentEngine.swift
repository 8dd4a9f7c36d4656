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

    /// Four endless loops, each stopped by running out of fuel: `branch` (`(loop (br 0))`),
    /// `arith` (a local incremented), `memory` (a load and a store), `call` (an empty call).
    /// Built from WAT with `wasm-tools parse` and written out so calibration needs no tools.
    static let calibrationModule: [UInt8] = [
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x06,
        0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x22, 0x04, 0x06, 0x62,
        0x72, 0x61, 0x6e, 0x63, 0x68, 0x00, 0x01, 0x05, 0x61, 0x72, 0x69, 0x74, 0x68, 0x00, 0x02, 0x06,
        0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x00, 0x03, 0x04, 0x63, 0x61, 0x6c, 0x6c, 0x00, 0x04, 0x0a,
        0x3c, 0x05, 0x02, 0x00, 0x0b, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b, 0x10, 0x01, 0x01,
        0x7f, 0x03, 0x40, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x21, 0x00, 0x0c, 0x00, 0x0b, 0x0b, 0x14, 0x00,
        0x03, 0x40, 0x41, 0x00, 0x41, 0x00, 0x28, 0x02, 0x00, 0x41, 0x01, 0x6a, 0x36, 0x02, 0x00, 0x0c,
        0x00, 0x0b, 0x0b, 0x09, 0x00, 0x03, 0x40, 0x10, 0x00, 0x0c, 0x00, 0x0b, 0x0b, 0x00, 0x0d, 0x04,
        0x6e, 0x61, 0x6d, 0x65, 0x01, 0x06, 0x01, 0x00, 0x03, 0x6e, 0x6f, 0x70,
    ]
    static let calibrationPatterns = ["branch", "arith", "memory", "call"]

    /// Fuel per second of the thread's CPU time for each calibration pattern (fastest of three
    /// timed runs of at least 2 ms each).
    static func measureFuelRates(engine: Engine) -> [String: Double] {
        guard let module = try? parseWasm(bytes: calibrationModule) else { return [:] }
        let store = Store(engine: engine)
        guard let instance = try? module.instantiate(store: store) else { return [:] }
        var rates: [String: Double] = [:]
        for pattern in calibrationPatterns {
            guard let function = instance.exports[function: pattern] else { continue }
            var fuel: UInt64 = 50_000
            var best = 0.0
            var longEnoughRuns = 0
            for _ in 0..<16 where longEnoughRuns < 3 {
                store.fuel = Fuel(remaining: fuel)
                let start = ThreadCPUClock.now()
                _ = try? function.invoke()  // ends with an out-of-fuel trap, by design
                let elapsed = Double(ThreadCPUClock.now() &- start) / 1e9
                if elapsed >= 0.002 {
                    longEnoughRuns += 1
                    best = max(best, Double(fuel) / elapsed)
                } else {
                    fuel *= 4
                }
            }
            if best > 0 { rates[pattern] = best }
        }
        store.fuel = nil
        return rates
    }

    /// Time per unit of fuel differs a lot between instruction mixes (about 7× between the
    /// `arith` and `call` patterns in a debug build), so no single rate is exact. The rate used
    /// is 1.5× the slowest pattern's: a call-heavy guest is stopped at about 1.5× its budget
    /// (inside the 2× the limit promises), a guest of cheap arithmetic somewhat before it.
    private static func measureFuelRate(engine: Engine) -> Double {
        // A conservative default (well below a debug build's rate) if calibration fails.
        (measureFuelRates(engine: engine).values.min() ?? 10_000_000 / 1.5) * 1.5
    }
}
