import StreamKitEngine
import Synchronization
import Testing
@testable import StreamKitCore

@Suite("NodeContext: sending, counters, telemetry limits")
struct NodeContextTests {
    final class Events: Sendable {
        let telemetry = Mutex<[TelemetryEvent]>([])
        let states = Mutex<[NodeState]>([])
        let busFull = Atomic<Bool>(false)
    }

    func makeContext(events: Events, outputs: [String: OutputPort] = [:], mode: PipelineMode = .dynamic) -> NodeContext {
        let sink = NodeEventSink(
            stateChanged: { _, state in events.states.withLock { $0.append(state) } },
            telemetry: { event in
                if events.busFull.load(ordering: .relaxed) { return false }
                events.telemetry.withLock { $0.append(event) }
                return true
            }
        )
        return NodeContext(nodeID: "n", kind: "test", sessionID: "s", mode: mode, batchSize: 8,
                           inbox: NodeInbox(endsWithNoPins: mode == .oneshot), outputs: outputs, sink: sink, maxTelemetryPerSecond: 100)
    }

    @Test func telemetryIsRateLimitedPerEventTypeAndDropsAreReported() {
        let events = Events()
        let context = makeContext(events: events)
        var accepted = 0
        for _ in 0..<150 where context.emitTelemetry("vad.speech") { accepted += 1 }
        #expect(accepted == 100)
        #expect(context.pendingTelemetryDrops.rateLimited == 50)
        #expect(context.emitTelemetry("other.type"), "another event type has its own budget")
        let health = events.telemetry.withLock { $0 }.first { $0.eventType == "telemetry.health" }
        #expect(health?.data["dropped_due_to_rate_limit"]?.intValue == 50)
        #expect(context.pendingTelemetryDrops.rateLimited == 0)
    }

    @Test func aFullBusNeverBlocksAndIsCounted() {
        let events = Events()
        let context = makeContext(events: events)
        events.busFull.store(true, ordering: .relaxed)
        #expect(!context.emitTelemetry("a"))
        #expect(!context.emitTelemetry("a"))
        #expect(context.pendingTelemetryDrops.full == 2)
        events.busFull.store(false, ordering: .relaxed)
        #expect(context.emitTelemetry("a"))
        let health = events.telemetry.withLock { $0 }.first { $0.eventType == "telemetry.health" }
        #expect(health?.data["dropped_due_to_full"]?.intValue == 2)
    }

    @Test func telemetryDataCarriesTheEventType() {
        let events = Events()
        let context = makeContext(events: events)
        context.emitTelemetry("stt.result", data: ["text": "hi"], correlationID: "c1")
        let event = events.telemetry.withLock { $0 }.first
        #expect(event?.data["event_type"]?.stringValue == "stt.result")
        #expect(event?.data["correlation_id"]?.stringValue == "c1")
        #expect(event?.data["text"]?.stringValue == "hi")
        #expect(event?.packet.typeID == "core::telemetry/event@1")
        #expect(event?.sessionID == "s")
    }

    @Test func sendCountsAndFansOut() async throws {
        let events = Events()
        let port = OutputPort(name: "out")
        let first = NodeInbox(endsWithNoPins: true)
        let second = NodeInbox(endsWithNoPins: true)
        for inbox in [first, second] { inbox.addPin("in", capacity: 4) }
        port.add(.init(id: LinkID(fromNode: "n", fromPin: "out", toNode: "a", toPin: "in"), inbox: first, mode: .reliable))
        port.add(.init(id: LinkID(fromNode: "n", fromPin: "out", toNode: "b", toPin: "in"), inbox: second, mode: .bestEffort))
        let context = makeContext(events: events, outputs: ["out": port])
        for index in 0..<4 { try await context.send(.text(String(index))) }
        #expect(context.stats.sent == 4)
        #expect(first.queuedCounts["in"] == 4)
        #expect(second.queuedCounts["in"] == 4)
        // The reliable consumer takes one; the best-effort one is full, so that copy is dropped and counted.
        _ = await first.next()
        try await context.send(.text("4"))
        #expect(context.stats.discarded == 1)
        #expect(second.queuedCounts["in"] == 4)
        await #expect(throws: StreamKitError.self) { try await context.send(.text("x"), to: "nope") }
    }

    @Test func unconnectedOutputsDiscard() async throws {
        let context = makeContext(events: Events(), outputs: ["out": OutputPort(name: "out")])
        try await context.send(.text("a"))
        #expect(context.stats.discarded == 1)
        #expect(context.stats.sent == 0)
        #expect(!context.isConnected(output: "out"))
    }

    @Test func statesAreReportedOncePerChange() {
        let events = Events()
        let context = makeContext(events: events)
        context.setState(.running)
        context.setState(.running)
        context.setState(.degraded(reason: "slow"))
        #expect(events.states.withLock { $0 } == [.running, .degraded(reason: "slow")])
    }
}
