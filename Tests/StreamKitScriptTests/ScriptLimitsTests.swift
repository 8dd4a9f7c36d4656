import Foundation
import StreamKitCore
import Testing
@testable import StreamKitScript

@Suite("core::script limits")
struct ScriptLimitsTests {
    @Test func endlessLoopIsStoppedWithinTwiceTheTimeoutWhileAnotherNodeKeepsRunning() async throws {
        let log = CapturedLog()
        let settings = ScriptSettings(logger: log.logger)
        let looping = try ScriptNodeTests.script(
            "function process(packet) { if (packet.data === 'loop') { while (true) {} } return { type: 'Text', data: 'after ' + packet.data }; }",
            ["timeout_ms": 200], settings: settings
        )
        let steady = try ScriptNodeTests.script("function process(packet) { return packet; }", settings: settings)
        let loopHarness = ScriptHarness(looping)
        let steadyHarness = ScriptHarness(steady)

        let started = ContinuousClock.now
        await loopHarness.feed(.text("loop"))
        // While the first node spins, the other one moves packets.
        var moved = 0
        for index in 0..<200 {
            await steadyHarness.feed(.text("p\(index)"))
            if await steadyHarness.next() != nil { moved += 1 }
        }
        let first = await loopHarness.next()
        let elapsed = ContinuousClock.now - started
        #expect(first?.text == "loop", "the packet passes through unchanged")
        #expect(elapsed < .milliseconds(400), "stopped after \(elapsed)")
        #expect(moved == 200)

        // The node goes on with the next packet, with its state intact.
        await loopHarness.feed(.text("next"))
        #expect(await loopHarness.next()?.text == "after next")
        loopHarness.end()
        steadyHarness.end()
        _ = await loopHarness.drain()
        _ = await steadyHarness.drain()
        #expect(loopHarness.context.stats.errored == 1)
        #expect(log.text.contains("timed out after 200 ms"))
    }

    @Test func awaitingPastTheTimeoutPassesThePacketThrough() async throws {
        let node = try ScriptNodeTests.script(
            "async function process(packet) { await new Promise(() => {}); return null; }", ["timeout_ms": 100]
        )
        let started = ContinuousClock.now
        let (outputs, harness) = try await ScriptHarness.run(node, [.text("waits")])
        #expect(outputs.compactMap(\.text) == ["waits"])
        #expect(ContinuousClock.now - started < .milliseconds(1000))
        #expect(harness.context.stats.errored == 1)
    }

    @Test func memoryBombIsStoppedAtTheLimit() async throws {
        let log = CapturedLog()
        let node = try ScriptNodeTests.script("""
            let kept = [];
            function process(packet) {
              if (packet.data === 'bomb') { while (true) kept.push(new Array(100000).fill(Math.random())); }
              return { type: 'Text', data: 'alive, kept ' + kept.length };
            }
            """, ["timeout_ms": 20_000, "memory_limit_mb": 32], settings: ScriptSettings(logger: log.logger))
        let harness = ScriptHarness(node)
        let started = ContinuousClock.now
        await harness.feed(.text("bomb"))
        let first = await harness.next()
        let elapsed = ContinuousClock.now - started
        #expect(first?.text == "bomb")
        #expect(elapsed < .seconds(5), "stopped after \(elapsed), long before timeout_ms")
        #expect(log.text.contains("memory limit of 32 MiB"))
        // The bomb kept its memory reachable: the context was stopped and the script started afresh.
        await harness.feed(.text("next"))
        #expect(await harness.next()?.text == "alive, kept 0")
        harness.end()
        _ = await harness.drain()
        #expect(harness.context.stats.errored == 1)
        #expect(harness.telemetryEvents.contains { $0.eventType == "script.restarted" })
    }
}
