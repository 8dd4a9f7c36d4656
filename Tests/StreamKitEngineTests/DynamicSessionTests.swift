import Foundation
import Synchronization
import Testing
@testable import StreamKitCore
@testable import StreamKitEngine
import StreamKitNodes

/// Collects a session's events in the background so tests can wait for one.
final class EventLog: Sendable {
    private final class Store: Sendable {
        let events = Mutex<[SessionEvent]>([])
        let dropped = Mutex(0)
    }
    private let store = Store()
    private let task: Task<Void, Never>

    init(_ session: DynamicSession) {
        let subscription = session.subscribe()
        let store = self.store
        task = Task {
            for await item in subscription {
                switch item {
                case .event(let event): store.events.withLock { $0.append(event) }
                case .dropped(let count): store.dropped.withLock { $0 += count }
                }
            }
        }
    }

    var all: [SessionEvent] { store.events.withLock { $0 } }

    func wait(limit: Duration = .seconds(10), for predicate: @Sendable (SessionEvent) -> Bool) async -> SessionEvent? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let found = all.first(where: predicate) { return found }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return all.first(where: predicate)
    }

    func state(of node: String, matches predicate: @escaping @Sendable (NodeState) -> Bool) async -> NodeState? {
        let event = await wait { event in
            if case .nodeStateChanged(node, let state) = event { return predicate(state) }
            return false
        }
        if case .nodeStateChanged(_, let state) = event { return state }
        return nil
    }
}

@Suite("Dynamic sessions: a live graph reshaped while packets flow")
struct DynamicSessionTests {
    static func start(_ yaml: String, registry: NodeRegistry, statsInterval: Duration = .seconds(2)) async throws -> DynamicSession {
        var configuration = EngineConfiguration()
        configuration.statsInterval = statsInterval
        configuration.nodeShutdownTimeout = .seconds(2)
        return try await DynamicSession.start(id: "s1", document: try PipelineParser.parse(yaml), registry: registry, configuration: configuration)
    }

    static let endlessToneGainRecord = """
        mode: dynamic
        nodes:
          tone: {kind: audio::tone, params: {waveform: silence, duration_ms: 0, frame_ms: 20}}
          gain: {kind: audio::gain, params: {gain: 1.0, ramp_ms: 0}, needs: tone}
          rec: {kind: test::record, needs: gain}
        """

    @Test func startsRunsAndPublishesItsShape() async throws {
        let recorder = Recorder(keep: 10)
        let session = try await Self.start(Self.endlessToneGainRecord, registry: TestNodes.registry(recorder: recorder))
        let log = EventLog(session)
        #expect(await recorder.wait { $0.count >= 5 })
        let snapshot = await session.snapshot()
        #expect(snapshot.pipeline.nodes.map(\.id) == ["tone", "gain", "rec"])
        #expect(snapshot.pipeline.links.map(\.id.description) == ["tone.out -> gain.in", "gain.out -> rec.in"])
        #expect(snapshot.states["gain"] == .running)
        await session.shutdown()
        #expect(await log.wait { if case .sessionStopped = $0 { true } else { false } } != nil)
    }

    @Test func tuningChangesTheAudioAndIsAnnounced() async throws {
        let recorder = Recorder(keep: 1_000_000)
        let registry = TestNodes.registry(recorder: recorder)
        let session = try await Self.start("""
            mode: dynamic
            nodes:
              tone: {kind: audio::tone, params: {waveform: sine, frequency: 100, amplitude: 0.5, duration_ms: 0}}
              gain: {kind: audio::gain, params: {gain: 1.0, ramp_ms: 0}, needs: tone}
              rec: {kind: test::record, needs: gain}
            """, registry: registry)
        let log = EventLog(session)
        #expect(await recorder.wait { $0.count >= 3 })
        let params = try await session.tune(node: "gain", params: ["gain": 2.0])
        #expect(params["gain"]?.doubleValue == 2.0)
        #expect(params["ramp_ms"]?.doubleValue == 0, "partial updates keep the other params")
        let before = recorder.count
        #expect(await recorder.wait { $0.count >= before + 40 })
        await session.shutdown()
        let peakAfter = recorder.packets.suffix(20).compactMap { packet -> Float? in
            if case .audio(let frame) = packet { frame.samples.map(abs).max() } else { nil }
        }.max() ?? 0
        #expect(abs(peakAfter - 1.0) < 0.01, "a 0.5 sine at gain 2 peaks at 1.0, got \(peakAfter)")
        #expect(log.all.contains { if case .paramsChanged("gain", let p) = $0 { p["gain"]?.doubleValue == 2.0 } else { false } })
    }

    @Test func badTunesAreRefusedWithTheReason() async throws {
        let session = try await Self.start(Self.endlessToneGainRecord, registry: TestNodes.registry())
        let schemaError = await #expect(throws: SessionError.self) { try await session.tune(node: "gain", params: ["gain": 12]) }
        #expect(schemaError?.code == .invalid)
        #expect(schemaError?.message.contains("params.gain") == true)
        let missing = await #expect(throws: SessionError.self) { try await session.tune(node: "nope", params: [:]) }
        #expect(missing?.code == .notFound)
        try await session.addNode(id: "quiet", kind: "core::sink", params: nil)
        let unsupported = await #expect(throws: SessionError.self) { try await session.tune(node: "quiet", params: ["x": 1]) }
        #expect(unsupported?.code == .invalid)
        #expect(unsupported?.message.contains("does not support live parameter updates") == true, "\(String(describing: unsupported))")
        await session.shutdown()
    }

    @Test func nodesAndLinksChangeWhilePacketsFlow() async throws {
        let first = Recorder(keep: 10)
        let second = Recorder(keep: 10)
        let registry = TestNodes.registry(recorder: first)
        registry.register(NodeDefinition(
            kind: "test::record2", description: "", categories: [], paramSchema: ["type": "object"],
            inputs: [InputPin(name: "in", accepts: [.any])], outputs: [], factory: { _ in RecordingSink(recorder: second) }
        ))
        let session = try await Self.start(Self.endlessToneGainRecord, registry: registry)
        #expect(await first.wait { $0.count >= 5 })

        try await session.addNode(id: "tap", kind: "test::record2", params: nil)
        try await session.connect(.init(from: "gain", to: "tap"))
        #expect(await second.wait { $0.count >= 5 }, "a node added to a running session receives packets")

        try await session.disconnect(LinkID(fromNode: "gain", fromPin: "out", toNode: "tap", toPin: "in"))
        // Packets already queued for the node when the link went are still delivered (nothing
        // queued is lost); after that, nothing more arrives.
        let atDisconnect = second.count
        let firstBefore = first.count
        #expect(await first.wait { $0.count >= firstBefore + 300 })
        let drained = second.count
        #expect(drained <= atDisconnect + EngineConfiguration().nodeInputCapacity + 2)
        #expect(await first.wait { $0.count >= firstBefore + 600 })
        #expect(second.count == drained, "a disconnected node stops receiving")

        try await session.removeNode(id: "tap")
        #expect(await session.nodeIDs == ["tone", "gain", "rec"])
        let conflict = await #expect(throws: SessionError.self) { try await session.addNode(id: "gain", kind: "audio::gain", params: nil) }
        #expect(conflict?.code == .conflict)
        await session.shutdown()
    }

    @Test func connectChecksPinsAndTypes() async throws {
        let session = try await Self.start(Self.endlessToneGainRecord, registry: TestNodes.registry())
        try await session.addNode(id: "text", kind: "core::text_chunker", params: nil)
        try await session.addNode(id: "gain2", kind: "audio::gain", params: nil)
        let mismatch = await #expect(throws: SessionError.self) { try await session.connect(.init(from: "text", to: "gain2")) }
        #expect(mismatch?.message.contains("produces Text") == true)
        #expect(mismatch?.message.contains("RawAudio") == true)
        let taken = await #expect(throws: SessionError.self) { try await session.connect(.init(from: "tone", to: "rec")) }
        #expect(taken?.code == .conflict)
        #expect(taken?.message.contains("already has a link from 'gain.out'") == true)
        let pin = await #expect(throws: SessionError.self) { try await session.connect(.init(from: "tone", fromPin: "audio", to: "text")) }
        #expect(pin?.message.contains("no output pin 'audio'") == true)
        let kind = await #expect(throws: SessionError.self) { try await session.addNode(id: "x", kind: "audio::gian", params: nil) }
        #expect(kind?.message.contains("did you mean 'audio::gain'") == true)
        await session.shutdown()
    }

    @Test func endOfStreamPropagatesInDynamicSessions() async throws {
        let recorder = Recorder()
        let session = try await Self.start("""
            mode: dynamic
            steps:
              - {kind: audio::tone, params: {waveform: sine, duration_ms: 200, frame_ms: 20}}
              - {kind: audio::gain, params: {gain: 0.5}}
              - {kind: test::record}
            """, registry: TestNodes.registry(recorder: recorder))
        // Polls the session rather than its events: a 200 ms tone runs faster than real time and
        // may finish before an event subscription made after `start` could see it.
        let deadline = ContinuousClock.now + .seconds(10)
        while await !(session.state(of: "step_2")?.isFinal ?? false), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(await session.state(of: "step_2") == .stopped(reason: .inputClosed))
        #expect(recorder.count == 10)
        #expect(recorder.sawEndOfStream)
        #expect(await session.state(of: "step_0") == .stopped(reason: .completed))
        #expect(await session.state(of: "step_1") == .stopped(reason: .inputClosed))
        await session.shutdown()
    }

    @Test func aFailingNodeFailsAloneAndTheRestGoesOn() async throws {
        let healthy = Recorder(keep: 10)
        let session = try await Self.start("""
            mode: dynamic
            nodes:
              tone: {kind: audio::tone, params: {waveform: silence, duration_ms: 0}}
              bad: {kind: test::fail, needs: tone}
              good: {kind: test::record, needs: tone}
            """, registry: TestNodes.registry(recorder: healthy, failAfter: 3))
        // Subscribed first, then the current state read: a failure before the subscription is seen
        // in the state, one after it in the events.
        let log = EventLog(session)
        let current = await session.state(of: "bad")
        let failed = if case .failed = current { current } else {
            await log.state(of: "bad", matches: { if case .failed = $0 { true } else { false } })
        }
        guard case .failed(let reason) = failed else {
            Issue.record("the failing node should be failed, got \(String(describing: failed))")
            return
        }
        #expect(reason.contains("boom"))
        let after = healthy.count
        #expect(await healthy.wait { $0.count >= after + 50 }, "the healthy branch keeps receiving after the failure")
        #expect(await session.state(of: "tone") == .running)
        await session.shutdown()
    }

    @Test func shutdownFinishesWithinTheDeadline() async throws {
        let session = try await Self.start(Self.endlessToneGainRecord, registry: TestNodes.registry())
        let started = ContinuousClock.now
        await session.shutdown()
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(await session.isStopped)
        let error = await #expect(throws: SessionError.self) { try await session.addNode(id: "late", kind: "core::sink", params: nil) }
        #expect(error?.code == .stopped)
    }

    @Test func aSourceWaitsUntilSomethingListens() async throws {
        let recorder = Recorder()
        let session = try await Self.start("mode: dynamic\nnodes:\n  rec: {kind: test::record}\n", registry: TestNodes.registry(recorder: recorder))
        try await session.addNode(id: "src", kind: "test::count", params: ["count": 20])
        #expect(await session.state(of: "src") == .ready)
        try await session.connect(.init(from: "src", to: "rec"))
        #expect(await recorder.wait { $0.count == 20 }, "nothing is lost: the source starts only once connected")
        await session.shutdown()
    }

    @Test func telemetryAndStatsReachSubscribers() async throws {
        let session = try await Self.start("""
            mode: dynamic
            nodes:
              tone: {kind: audio::tone, params: {waveform: sine, amplitude: 0.5, duration_ms: 0}}
              tap: {kind: core::telemetry_tap, params: {packet_types: [Audio], audio_sample_interval_ms: 100}, needs: tone}
              sink: {kind: core::sink, needs: tap}
            """, registry: TestNodes.registry(), statsInterval: .milliseconds(50))
        let log = EventLog(session)
        let telemetry = await log.wait { if case .telemetry(let event) = $0 { event.eventType == "audio.level" } else { false } }
        guard case .telemetry(let event) = telemetry else {
            Issue.record("no audio.level telemetry")
            await session.shutdown()
            return
        }
        #expect(event.nodeID == "tap")
        #expect(event.sessionID == "s1")
        let rms = event.data["rms"]?.doubleValue ?? 0
        #expect(abs(rms - 0.5 / 2.0.squareRoot()) < 0.01, "rms of a 0.5 sine, got \(rms)")
        let stats = await log.wait { if case .nodeStatsUpdated("sink", let stats) = $0 { stats.discarded > 0 } else { false } }
        #expect(stats != nil, "the sink's counters are published")
        await session.shutdown()
    }

    @Test func aSlowSubscriberLosesOldEventsAndIsToldHowMany() async throws {
        let broadcaster = EventBroadcaster<Int>(subscriberCapacity: 4)
        let subscription = broadcaster.subscribe()
        var accepted = 0
        for value in 0..<10 where broadcaster.publish(value) { accepted += 1 }
        #expect(accepted == 4)
        broadcaster.finish()
        var items: [String] = []
        for await item in subscription {
            switch item {
            case .dropped(let count): items.append("dropped \(count)")
            case .event(let value): items.append(String(value))
            }
        }
        #expect(items == ["dropped 6", "6", "7", "8", "9"])
    }

    @Test func invalidDocumentsAreRefusedWhole() async throws {
        let error = await #expect(throws: SessionError.self) {
            _ = try await Self.start("mode: dynamic\nnodes:\n  a: {kind: audio::toon}\n  b: {kind: audio::gain, params: {gain: 9}, needs: a}\n", registry: TestNodes.registry())
        }
        #expect(error?.issues.count == 2)
    }
}
