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
            (func (export "count") (param $n i32) (result i32)
              (local $i i32)
              (loop
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if 0 (i32.lt_u (local.get $i) (local.get $n))))
              (local.get $i))
            (func (export "quick") (result i32) (i32.const 42)))
          (core instance $m (instantiate $M))
          (func (export "spin") (canon lift (core func $m "spin")))
          (func (export "bomb") (result u32) (canon lift (core func $m "bomb")))
          (func (export "count") (param "n" u32) (result u32) (canon lift (core func $m "count")))
          (func (export "quick") (result u32) (canon lift (core func $m "quick")))
        )
        """

    /// The CPU time the error message says the call used ("... (used 51.2 ms)").
    static func usedMilliseconds(_ error: ComponentError?) -> Double? {
        guard let message = error?.message, let range = message.range(of: #"used [0-9]+\.[0-9] ms"#, options: .regularExpression) else { return nil }
        return Double(message[range].dropFirst("used ".count).dropLast(" ms".count))
    }

    @Test func infiniteLoopHitsTheDefaultCPUBudgetWithinTwiceTheBudget() throws {
        let component = try Component(bytes: try WasmTools.parse(Self.runaway))
        let limits = ComponentLimits()
        #expect(limits.cpuBudget == .milliseconds(50))
        let instance = try ComponentInstance(component, linker: ComponentLinker(), engine: sharedEngine, limits: limits)
        let spin = try instance.function("spin")
        // The budget is CPU time: measure the thread's CPU clock, which other processes on a
        // busy machine do not inflate.
        var elapsed = Duration.zero
        let error = ComponentError.expecting(.cpuBudgetExceeded) {
            let start = ThreadCPUClock.now()
            defer { elapsed = .nanoseconds(Int64(ThreadCPUClock.now() &- start)) }
            _ = try instance.call(spin)
        }
        #expect(error?.message.contains("cpu budget of 50 ms per call exceeded in `spin`") == true, "\(String(describing: error))")
        let used = try #require(Self.usedMilliseconds(error), "no CPU time in \(String(describing: error))")
        #expect(used >= 50 && used <= 100, "the error says the loop used \(used) ms of a 50 ms budget")
        #expect(elapsed < .milliseconds(100), "the call took \(elapsed) of CPU time with a 50 ms budget")
        print("endless loop stopped at \(used) ms of guest CPU (the call took \(elapsed) of thread CPU) with a 50 ms budget")
        // The instance is still usable, with a fresh budget.
        #expect(try instance.call(try instance.function("quick")) == [.u32(42)])
    }

    @Test func aLoopWellInsideTheBudgetIsNotStopped() throws {
        let component = try Component(bytes: try WasmTools.parse(Self.runaway))
        let instance = try ComponentInstance(component, linker: ComponentLinker(), engine: sharedEngine)
        let count = try instance.function("count")
        // Size the loop to ~20 ms of guest CPU on this machine and build, from a measured run
        // (after one that translates the code).
        var iterations: UInt32 = 10_000
        _ = try instance.call(count, [.u32(iterations)])
        _ = try instance.call(count, [.u32(iterations)])
        let measured = instance.state.lastCallCPUTime
        iterations = UInt32(clamping: UInt64(iterations) * 20_000_000 / max(measured, 1))
        for _ in 0..<5 {
            #expect(try instance.call(count, [.u32(iterations)]) == [.u32(iterations)])
            let used = Double(instance.state.lastCallCPUTime) / 1e6
            #expect(used > 10 && used < 40, "a loop sized for 20 ms took \(used) ms")
            print("\(iterations) iterations took \(used) ms of a 50 ms budget")
        }
    }

    static let waiting = """
        (component
          (import "wait" (func $wait))
          (import "burn" (func $burn))
          (core func $wait_core (canon lower (func $wait)))
          (core func $burn_core (canon lower (func $burn)))
          (core module $M
            (import "host" "wait" (func $wait))
            (import "host" "burn" (func $burn))
            (func (export "wait-twice") (call $wait) (call $wait))
            (func (export "burn-twice") (call $burn) (call $burn)))
          (core instance $host (export "wait" (func $wait_core)) (export "burn" (func $burn_core)))
          (core instance $m (instantiate $M (with "host" (instance $host))))
          (func (export "wait-twice") (canon lift (core func $m "wait-twice")))
          (func (export "burn-twice") (canon lift (core func $m "burn-twice")))
        )
        """

    /// A host function the guest calls may block (as on backpressure) far longer than the
    /// guest's budget: waiting uses no CPU time, so the call succeeds and is charged almost
    /// nothing. CPU work the host does for the guest on the calling thread is the call's, though:
    /// two 40 ms host computations exceed a 50 ms budget, and the call stops there.
    @Test func waitingInsideHostFunctionsIsFreeButHostCPUWorkCounts() throws {
        var linker = ComponentLinker()
        linker.define(function: "wait", type: ComponentFunctionType()) { _ in
            // Stands in for a host function blocked on backpressure: the thread waits 80 ms.
            Thread.sleep(forTimeInterval: 0.08)
            return []
        }
        linker.define(function: "burn", type: ComponentFunctionType()) { _ in
            // Host work that uses the thread's CPU: 40 ms, twice, is past a 50 ms budget.
            let start = ThreadCPUClock.now()
            while ThreadCPUClock.now() &- start < 40_000_000 {}
            return []
        }
        let component = try Component(bytes: try WasmTools.parse(Self.waiting))
        let instance = try ComponentInstance(component, linker: linker, engine: sharedEngine)
        let clock = ContinuousClock()
        let waited = try clock.measure { _ = try instance.call(try instance.function("wait-twice")) }
        #expect(waited >= .milliseconds(160), "the host function did not block (\(waited))")
        #expect(instance.state.lastCallCPUTime < 20_000_000, "the call was charged \(instance.state.lastCallCPUTime) ns for waiting")
        let error = ComponentError.expecting(.cpuBudgetExceeded) { _ = try instance.call(try instance.function("burn-twice")) }
        #expect(error?.message.contains("cpu budget of 50 ms per call exceeded") == true, "\(String(describing: error))")
        #expect(instance.state.lastCallCPUTime >= 50_000_000 && instance.state.lastCallCPUTime < 100_000_000, "charged \(instance.state.lastCallCPUTime) ns")
        // The instance is still usable after the cut-off.
        _ = try instance.call(try instance.function("wait-twice"))
    }

    @Test func memoryBombHitsTheMemoryLimit() throws {
        let component = try Component(bytes: try WasmTools.parse(Self.runaway))
        let instance = try ComponentInstance(component, linker: ComponentLinker(), engine: sharedEngine, limits: ComponentLimits(memoryLimit: 4 << 20))
        let error = ComponentError.expecting(.memoryLimitExceeded) { _ = try instance.call(try instance.function("bomb")) }
        #expect(error?.message.contains("memory limit of 4194304 bytes exceeded") == true, "\(String(describing: error))")
        #expect(try instance.call(try instance.function("quick")) == [.u32(42)])
    }

    /// Growing memory is not what stops a memory bomb: with the default limits (50 ms CPU),
    /// a 64 MiB bomb reaches the memory cap.
    @Test func defaultMemoryLimitIs64MiBAndReachedWithinTheDefaultCPUBudget() throws {
        let component = try Component(bytes: try WasmTools.parse(Self.runaway))
        let limits = ComponentLimits()
        #expect(limits.memoryLimit == 64 << 20)
        let instance = try ComponentInstance(component, linker: ComponentLinker(), engine: sharedEngine, limits: limits)
        let error = ComponentError.expecting(.memoryLimitExceeded) { _ = try instance.call(try instance.function("bomb")) }
        #expect(error?.message.contains("memory limit of 67108864 bytes exceeded in `bomb`") == true, "\(String(describing: error))")
        print("64 MiB memory bomb stopped after \(Double(instance.state.lastCallCPUTime) / 1e6) ms of guest CPU")
    }

    static let twoMemories = """
        (component
          (core module $A
            (memory (export "memory") 1)
            (func (export "grow") (param $pages i32) (result i32) (memory.grow (local.get $pages))))
          (core module $B
            (memory (export "memory") 1)
            (func (export "grow") (param $pages i32) (result i32) (memory.grow (local.get $pages))))
          (core instance $a (instantiate $A))
          (core instance $b (instantiate $B))
          (func (export "grow-a") (param "pages" u32) (result s32) (canon lift (core func $a "grow")))
          (func (export "grow-b") (param "pages" u32) (result s32) (canon lift (core func $b "grow")))
        )
        """

    /// The cap is on the instance's total: two memories that each fit but together do not.
    @Test func theCapCountsAllMemoriesOfTheInstance() throws {
        let component = try Component(bytes: try WasmTools.parse(Self.twoMemories))
        let instance = try ComponentInstance(component, linker: ComponentLinker(), engine: sharedEngine)
        let growA = try instance.function("grow-a")
        let growB = try instance.function("grow-b")
        // 40 MiB in A (640 pages), then 20 MiB more in B: 60 MiB + 64 KiB in all, under 64 MiB.
        #expect(try instance.call(growA, [.u32(639)]) == [.s32(1)])
        #expect(try instance.call(growB, [.u32(320)]) == [.s32(1)])
        #expect(instance.state.memoryCap.totalBytes == (640 + 321) * 65536)
        // 10 MiB more in B would make 70 MiB.
        let error = ComponentError.expecting(.memoryLimitExceeded) { _ = try instance.call(growB, [.u32(160)]) }
        #expect(error?.message.contains("memory limit of 67108864 bytes exceeded") == true, "\(String(describing: error))")
        #expect(error?.message.contains("the instance's memories would total \((640 + 481) * 65536) bytes") == true, "\(String(describing: error))")
        // And so would 10 MiB more in A.
        _ = ComponentError.expecting(.memoryLimitExceeded) { _ = try instance.call(growA, [.u32(160)]) }
        #expect(instance.state.memoryCap.totalBytes == (640 + 321) * 65536)
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

    @Test func initialMemoriesTogetherAboveTheLimitFailInstantiation() throws {
        // 10 pages each: 640 KiB apiece, 1.25 MiB together, over a 1 MiB cap.
        let wat = """
            (component
              (core module $A (memory (export "memory") 10))
              (core module $B (memory (export "memory") 10))
              (core instance $a (instantiate $A))
              (core instance $b (instantiate $B)))
            """
        let component = try Component(bytes: try WasmTools.parse(wat))
        let error = ComponentError.expecting(.memoryLimitExceeded) {
            _ = try ComponentInstance(component, linker: ComponentLinker(), engine: sharedEngine, limits: ComponentLimits(memoryLimit: 1 << 20))
        }
        #expect(error?.message.contains("the instance's memories would total \(20 * 65536) bytes") == true, "\(String(describing: error))")
    }

    /// A core start function runs during instantiation, under the start-up budget.
    @Test func endlessStartFunctionHitsTheStartupBudget() throws {
        let wat = """
            (component
              (core module $M
                (func $spin (loop (br 0)))
                (start $spin))
              (core instance $m (instantiate $M)))
            """
        let component = try Component(bytes: try WasmTools.parse(wat))
        let error = ComponentError.expecting(.cpuBudgetExceeded) {
            _ = try ComponentInstance(component, linker: ComponentLinker(), engine: sharedEngine, limits: ComponentLimits(startupBudget: .milliseconds(100)))
        }
        #expect(error?.message.contains("start-up cpu budget of 100 ms exceeded") == true, "\(String(describing: error))")
        let used = try #require(Self.usedMilliseconds(error), "no CPU time in \(String(describing: error))")
        #expect(used >= 100 && used <= 200, "the start function used \(used) ms of a 100 ms budget")
    }
}
