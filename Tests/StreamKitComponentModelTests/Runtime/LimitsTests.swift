import Foundation
import Testing

@testable import StreamKitComponentModel

/// CPU budget and memory cap: a runaway guest ends the call with an error that names the
/// limit, and the host survives to call again.
struct LimitsTests {
    static let runaway = """
        (component
          (core module $M
            (memory (export "memory") 1)
            (func (export "spin") (loop (br 0)))
            (func (export "bomb") (result i32)
              (loop (br_if 0 (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
              (memory.size))
            (func (export "quick") (result i32) (i32.const 42)))
          (core instance $m (instantiate $M))
          (func (export "spin") (canon lift (core func $m "spin")))
          (func (export "bomb") (result u32) (canon lift (core func $m "bomb")))
          (func (export "quick") (result u32) (canon lift (core func $m "quick")))
        )
        """

    @Test func infiniteLoopHitsTheCPUBudgetWithinTwiceTheBudget() throws {
        let component = try Component(bytes: try WasmTools.parse(Self.runaway))
        let budget = Duration.milliseconds(50)
        let instance = try ComponentInstance(component, linker: ComponentLinker(), engine: sharedEngine, limits: ComponentLimits(cpuBudget: budget))
        let spin = try instance.function("spin")
        _ = try instance.call(try instance.function("quick"))  // warm up translation
        // The budget is CPU time: measure the thread's CPU clock, which other processes on a
        // busy machine do not inflate.
        var elapsed = Duration.zero
        let error = ComponentError.expecting(.cpuBudgetExceeded) {
            let start = ThreadCPUClock.now()
            defer { elapsed = .nanoseconds(Int64(ThreadCPUClock.now() &- start)) }
            _ = try instance.call(spin)
        }
        #expect(error?.message.contains("cpu budget of 50 ms per call exceeded") == true, "\(String(describing: error))")
        #expect(elapsed < budget * 2, "the loop ran \(elapsed) against a \(budget) budget")
        print("endless loop stopped after \(elapsed) of CPU time with a \(budget) budget")
        // The instance is still usable, with a fresh budget.
        #expect(try instance.call(try instance.function("quick")) == [.u32(42)])
    }

    @Test func memoryBombHitsTheMemoryLimit() throws {
        let component = try Component(bytes: try WasmTools.parse(Self.runaway))
        let instance = try ComponentInstance(component, linker: ComponentLinker(), engine: sharedEngine, limits: ComponentLimits(cpuBudget: .seconds(10), memoryLimit: 4 << 20))
        let error = ComponentError.expecting(.memoryLimitExceeded) { _ = try instance.call(try instance.function("bomb")) }
        #expect(error?.message.contains("memory limit of 4194304 bytes exceeded") == true, "\(String(describing: error))")
        #expect(try instance.call(try instance.function("quick")) == [.u32(42)])
    }

    @Test func defaultMemoryLimitIs64MiB() throws {
        let component = try Component(bytes: try WasmTools.parse(Self.runaway))
        // WasmKit charges fuel for the bytes `memory.grow` adds, so a 64 MiB bomb needs more
        // than the default 50 ms worth of fuel in a debug build: give it room.
        let limits = ComponentLimits(cpuBudget: .seconds(10))
        #expect(limits.memoryLimit == 64 << 20)
        let instance = try ComponentInstance(component, linker: ComponentLinker(), engine: sharedEngine, limits: limits)
        let error = ComponentError.expecting(.memoryLimitExceeded) { _ = try instance.call(try instance.function("bomb")) }
        #expect(error?.message.contains("memory limit of 67108864 bytes exceeded") == true, "\(String(describing: error))")
    }

    @Test func initialMemoryAboveTheLimitFailsInstantiation() throws {
        let wat = """
            (component
              (core module $M (memory (export "memory") 100))
              (core instance $m (instantiate $M)))
            """
        let component = try Component(bytes: try WasmTools.parse(wat))
        _ = ComponentError.expecting(.memoryLimitExceeded) {
            _ = try ComponentInstance(component, linker: ComponentLinker(), engine: sharedEngine, limits: ComponentLimits(memoryLimit: 1 << 20))
        }
    }
}

struct FuelCalibrationTests {
    @Test func everyPatternIsMeasured() {
        let rates = ComponentEngine.measureFuelRates(engine: sharedEngine.engine)
        print("fuel per second by pattern: \(rates.mapValues { Int($0) })")
        #expect(Set(rates.keys) == Set(ComponentEngine.calibrationPatterns))
        #expect(rates.values.allSatisfy { $0 > 0 })
    }
}
