import StreamKitCore
import StreamKitSchema
import Testing

@testable import StreamKitNodes

/// Wall-clock tests of `core::pacer` plus exact tests of its schedule.
///
/// Timing assertions use real time, so lower bounds are strict (pacing can never be faster
/// than the schedule) while upper bounds are generous (a loaded CI machine may be slow).
/// The suite is serialized so its own timing tests do not compete for the CPU.
@Suite("core::pacer", .serialized, .timeLimit(.minutes(1)))
struct PacerNodeTests {
    /// A 20 ms mono frame at 48 kHz whose sequence number identifies it.
    private static func frame(_ sequence: UInt64, milliseconds: Int = 20) -> Packet {
        .audio(AudioFrame(sampleRate: 48_000, channels: 1, samples: [Float](repeating: 0.25, count: 48 * milliseconds),
                          metadata: PacketMetadata(sequence: sequence)))
    }

    private static func pacer(_ params: JSONValue = [:]) throws -> PacerNode {
        try PacerNode(params: params.applyingDefaults(from: PacerNode.definition.paramSchema))
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    /// Runs `node`, feeding `packets` then ending the input; returns each output with the time
    /// it arrived (from the start) and the total time until the node finished.
    private static func timedRun(_ node: any Node, _ packets: [Packet], inputCapacity: Int = 32)
        async -> (outputs: [(packet: Packet, at: Double)], total: Double, result: Result<Void, any Error>)
    {
        let clock = ContinuousClock()
        let start = clock.now
        let harness = NodeHarness(node, inputCapacity: inputCapacity)
        let feeder = Task {
            for packet in packets { await harness.feed(packet) }
            harness.end()
        }
        var outputs: [(packet: Packet, at: Double)] = []
        while let packet = await harness.nextOutput() {
            outputs.append((packet, milliseconds(start.duration(to: clock.now))))
        }
        await feeder.value
        let result = await harness.result()
        return (outputs, milliseconds(start.duration(to: clock.now)), result)
    }

    private static func sequence(_ packet: Packet) -> UInt64? { packet.metadata?.sequence }

    // MARK: Pacing

    @Test func pacesAudioInRealTime() async throws {
        let run = await Self.timedRun(try Self.pacer(), (0..<10).map { Self.frame($0) })
        #expect(throws: Never.self) { try run.result.get() }
        #expect(run.outputs.map { Self.sequence($0.packet) } == (0..<10).map { Optional($0) })
        // Frame k goes out k × 20 ms after the first: 180 ms for the tenth.
        #expect(run.total >= 180)
        #expect(run.total < 3000, "no stall (generous: CI machines are loaded)")
        if let last = run.outputs.last, let first = run.outputs.first {
            #expect(last.at - first.at >= 175)
        }
    }

    @Test func speedDividesDurations() async throws {
        let run = await Self.timedRun(try Self.pacer(["speed": 4]), (0..<10).map { Self.frame($0) })
        #expect(run.outputs.count == 10)
        #expect(run.total >= 45)
        #expect(run.total < 3000, "no stall (generous: CI machines are loaded)")
    }

    @Test func metadataDurationWinsOverSamples() async throws {
        // Tiny frames that claim 30 ms each: the claim is what paces them.
        let packets: [Packet] = (0..<5).map { index in
            .audio(AudioFrame(sampleRate: 48_000, channels: 1, samples: [0, 0],
                              metadata: PacketMetadata(durationUs: 30_000, sequence: UInt64(index))))
        }
        let run = await Self.timedRun(try Self.pacer(), packets)
        #expect(run.outputs.count == 5)
        #expect(run.total >= 120)
    }

    @Test func binaryWithDurationIsPacedAndWithoutIsNot() async throws {
        let paced: [Packet] = (0..<5).map { _ in .binary(BinaryPacket(data: [1], metadata: PacketMetadata(durationUs: 20_000))) }
        let pacedRun = await Self.timedRun(try Self.pacer(), paced)
        #expect(pacedRun.outputs.count == 5)
        #expect(pacedRun.total >= 80)

        let unpaced: [Packet] = (0..<20).map { _ in .binary(BinaryPacket(data: [1])) }
        let unpacedRun = await Self.timedRun(try Self.pacer(), unpaced)
        #expect(unpacedRun.outputs.count == 20)
        #expect(unpacedRun.total < 380, "20 paced packets of 20 ms would take 380 ms")
    }

    @Test func zeroDurationPacketsKeepTheirPlace() async throws {
        // Text, transcriptions and duration-less binary interleaved with paced audio: all must
        // come out in input order (the original let them overtake queued audio).
        var packets: [Packet] = []
        for index in 0..<6 {
            packets.append(Self.frame(UInt64(index)))
            packets.append(.text("after \(index)"))
            if index.isMultiple(of: 2) { packets.append(.binary(BinaryPacket(data: [UInt8(index)]))) }
        }
        packets.append(.transcription(Transcription(text: "end")))
        let run = await Self.timedRun(try Self.pacer(), packets)
        #expect(throws: Never.self) { try run.result.get() }
        let describe: (Packet) -> String = { packet in
            switch packet {
            case .audio(let frame): "a\(frame.metadata?.sequence ?? 99)"
            case .text(let text): text
            case .binary(let binary): "b\(binary.data.first ?? 99)"
            case .transcription(let transcription): transcription.text
            case .custom: "custom"
            }
        }
        #expect(run.outputs.map { describe($0.packet) } == packets.map(describe))
        // A zero-duration packet goes out right after the media before it, not a slot later.
        if run.outputs.count == packets.count {
            #expect(run.outputs[1].at - run.outputs[0].at < 15)
        }
        #expect(run.total >= 100)
    }

    @Test func initialBurstGoesOutAtOnce() async throws {
        let run = await Self.timedRun(try Self.pacer(["initial_burst_packets": 5]), (0..<10).map { Self.frame($0) })
        #expect(run.outputs.count == 10)
        guard run.outputs.count == 10 else { return }
        // Without the burst the fifth frame would leave 80 ms after the first.
        #expect(run.outputs[4].at - run.outputs[0].at < 70, "80 ms without the burst")
        // The other five follow at pace: one duration after the burst, then every 20 ms.
        #expect(run.outputs[9].at - run.outputs[4].at >= 95)
        #expect(run.total < 3000, "no stall (generous: CI machines are loaded)")
    }

    @Test func fullQueueHoldsTheProducerBack() async throws {
        let node = try Self.pacer(["buffer_size": 2])
        let harness = NodeHarness(node, inputCapacity: 1)
        let clock = ContinuousClock()
        let start = clock.now
        let feeder = Task {
            for index in 0..<10 { await harness.feed(Self.frame(UInt64(index))) }
            return start.duration(to: clock.now)
        }
        var count = 0
        let reader = Task {
            var received = 0
            while await harness.nextOutput() != nil { received += 1 }
            return received
        }
        let feedTime = Self.milliseconds(await feeder.value)
        harness.end()
        count = await reader.value
        // At most 2 queued in the node, 1 in the pin and the packet being released can be
        // absorbed; the rest must wait for releases at 20 ms each: ≥ (10 − 4) × 20 ms.
        #expect(feedTime >= 100)
        #expect(count == 10)
        let result = await harness.result()
        #expect(throws: Never.self) { try result.get() }
    }

    // MARK: Tuning and stopping

    @Test func speedCanBeTunedLive() async throws {
        // At speed 0.5 the ten frames would take 9 × 40 = 360 ms; at 4 the rest take ~45 ms.
        let node = try Self.pacer(["speed": 0.5])
        let harness = NodeHarness(node)
        let clock = ContinuousClock()
        let start = clock.now
        for index in 0..<10 { await harness.feed(Self.frame(UInt64(index))) }
        harness.end()
        _ = await harness.nextOutput()
        let answer = await harness.tune(["speed": 4])
        #expect(throws: Never.self) { try answer.get() }
        let rest = await harness.drain()
        let total = Self.milliseconds(start.duration(to: clock.now))
        #expect(rest.count == 9)
        #expect(total >= 40)
        #expect(total < 340, "faster than the 360 ms speed 0.5 would take")
        let result = await harness.result()
        #expect(throws: Never.self) { try result.get() }
    }

    @Test func badLiveSpeedIsRefused() async throws {
        let harness = NodeHarness(try Self.pacer())
        for bad: JSONValue in [["speed": 0], ["speed": -1], ["speed": "fast"]] {
            let answer = await harness.tune(bad)
            #expect(throws: StreamKitError.self) { try answer.get() }
        }
        // Fields other than speed are ignored while running.
        let other = await harness.tune(["speed": 2, "buffer_size": 4])
        #expect(throws: Never.self) { try other.get() }
        harness.end()
        #expect(await harness.drain().isEmpty)
    }

    @Test func schemaChecksParameters() {
        let schema = PacerNode.definition.paramSchema
        let valid: [JSONValue] = [[:], ["speed": 0.25], ["speed": 10, "buffer_size": 1, "initial_burst_packets": 0]]
        for params in valid {
            #expect(JSONSchemaValidator.validate(params, against: schema).isValid, "\(params)")
        }
        let invalid: [JSONValue] = [["speed": 0], ["speed": -2], ["speed": "1"], ["buffer_size": 0], ["buffer_size": 1.5],
                                    ["initial_burst_packets": -1]]
        for params in invalid {
            #expect(!JSONSchemaValidator.validate(params, against: schema).isValid, "\(params)")
        }
        let filled = JSONValue.object([:]).applyingDefaults(from: schema)
        #expect(filled["speed"]?.doubleValue == 1)
        #expect(filled["buffer_size"]?.intValue == 16)
        #expect(filled["initial_burst_packets"]?.intValue == 0)
    }

    @Test func factoryRefusesWhatTheSchemaForbids() {
        #expect(throws: StreamKitError.self) { try PacerNode(params: ["speed": 0]) }
        #expect(throws: StreamKitError.self) { try PacerNode(params: ["buffer_size": 0]) }
        #expect(throws: StreamKitError.self) { try PacerNode(params: ["initial_burst_packets": -3]) }
        #expect(throws: Never.self) { try PacerNode(params: .null) }
    }

    @Test func shutdownStopsPromptly() async throws {
        // Ten 200 ms frames at speed 1 would take 1.8 s to drain.
        let harness = NodeHarness(try Self.pacer())
        for index in 0..<10 { await harness.feed(Self.frame(UInt64(index), milliseconds: 200)) }
        _ = await harness.nextOutput()
        let clock = ContinuousClock()
        let start = clock.now
        harness.inbox.requestShutdown()
        _ = await harness.result()
        #expect(Self.milliseconds(start.duration(to: clock.now)) < 1000, "stops well before the 1.8 s of queued audio")
    }

    @Test func shutdownStopsPromptlyWhileDraining() async throws {
        let harness = NodeHarness(try Self.pacer())
        for index in 0..<10 { await harness.feed(Self.frame(UInt64(index), milliseconds: 200)) }
        harness.end()
        _ = await harness.nextOutput()
        try await Task.sleep(for: .milliseconds(20))
        let clock = ContinuousClock()
        let start = clock.now
        harness.inbox.requestShutdown()
        _ = await harness.result()
        #expect(Self.milliseconds(start.duration(to: clock.now)) < 1000, "stops well before the 1.8 s of queued audio")
    }

    // MARK: The schedule itself (exact, no real time)

    @Test func scheduleDoesNotDriftWithLateWakeUps() {
        var schedule = PacingSchedule(speed: 1)
        let start = ContinuousClock.now
        var now = start
        for _ in 0..<1000 {
            #expect(schedule.isDue(at: now))
            schedule.released(durationUs: 20_000, at: now)
            // Wake up 3 ms late every time: an interval timer would drift by 3 s over 1000 frames.
            if let due = schedule.nextDue { now = due + .milliseconds(3) }
        }
        #expect(schedule.nextDue == start + .seconds(20))
    }

    @Test func scheduleCatchesUpAfterAStall() {
        var schedule = PacingSchedule(speed: 2)
        let start = ContinuousClock.now
        schedule.released(durationUs: 20_000, at: start)
        // Busy for 100 ms: at speed 2 the next ten 20 ms packets are all due at once.
        let late = start + .milliseconds(100)
        var released = 0
        while schedule.isDue(at: late) {
            schedule.released(durationUs: 20_000, at: late)
            released += 1
        }
        #expect(released == 10)
        #expect(schedule.nextDue == start + .milliseconds(110))
    }

    @Test func scheduleRestartsAfterInputGap() {
        var schedule = PacingSchedule(speed: 1)
        let start = ContinuousClock.now
        schedule.released(durationUs: 20_000, at: start)
        // Input arrives early: the slot is kept.
        schedule.resumeAfterIdle(at: start + .milliseconds(5))
        #expect(schedule.nextDue == start + .milliseconds(20))
        // Input arrives after a one-second gap: no burst to "catch up" the gap.
        let later = start + .seconds(1)
        schedule.resumeAfterIdle(at: later)
        #expect(schedule.nextDue == later)
    }

    @Test func speedChangeAppliesToThePendingWait() {
        var schedule = PacingSchedule(speed: 1)
        let start = ContinuousClock.now
        schedule.released(durationUs: 40_000, at: start)
        schedule.speed = 4
        #expect(schedule.nextDue == start + .milliseconds(10))
        #expect(schedule.timeUntilDue(at: start + .milliseconds(15)) == .zero)
    }

    @Test func absurdDurationsAreCapped() {
        var schedule = PacingSchedule(speed: 0.001)
        let start = ContinuousClock.now
        schedule.released(durationUs: .max, at: start)
        #expect(schedule.nextDue == start + PacingSchedule.maximumPacketWait)
    }
}
