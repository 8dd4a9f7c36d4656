import StreamKitCore
import StreamKitEngine
import StreamKitSchema
import Testing

@testable import StreamKitNodes

/// Wall-clock tests of `audio::pacer`: pacing, silence fill, ending, parameters.
///
/// Lower time bounds are strict, upper bounds generous; serialized so the suite's own timing
/// tests do not compete for the CPU.
@Suite("audio::pacer", .serialized, .timeLimit(.minutes(1)))
struct AudioPacerNodeTests {
    /// A 20 ms frame of a constant non-zero level whose sequence number identifies it.
    private static func frame(_ sequence: UInt64, sampleRate: Int = 48_000, channels: Int = 1) -> Packet {
        let frames = sampleRate / 50
        return .audio(AudioFrame(sampleRate: sampleRate, channels: channels,
                                 samples: [Float](repeating: 0.5, count: frames * channels),
                                 metadata: PacketMetadata(sequence: sequence)))
    }

    private static func pacer(_ params: JSONValue = [:]) throws -> AudioPacerNode {
        try AudioPacerNode(params: params.applyingDefaults(from: AudioPacerNode.definition.paramSchema))
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    private static func isSilence(_ packet: Packet) -> Bool {
        guard case .audio(let frame) = packet else { return false }
        return frame.metadata == nil && frame.samples.allSatisfy { $0 == 0 }
    }

    /// Feeds `packets`, ends the input, and returns the outputs and how long the node ran.
    private static func timedRun(_ node: any Node, _ packets: [Packet])
        async -> (outputs: [Packet], total: Double, result: Result<Void, any Error>, stats: NodeStats)
    {
        let clock = ContinuousClock()
        let start = clock.now
        let harness = NodeHarness(node)
        let feeder = Task {
            for packet in packets { await harness.feed(packet) }
            harness.end()
        }
        let outputs = await harness.drain()
        await feeder.value
        let result = await harness.result()
        return (outputs, milliseconds(start.duration(to: clock.now)), result, harness.context.stats)
    }

    // MARK: Pacing

    @Test(arguments: [false, true])
    func pacesFramesInRealTimeAndEnds(generateSilence: Bool) async throws {
        let run = await Self.timedRun(try Self.pacer(["generate_silence": .bool(generateSilence)]),
                                      (0..<10).map { Self.frame($0) })
        #expect(throws: Never.self) { try run.result.get() }
        // Silence may slip in only if the feeder fell behind; the audio itself is complete and in order.
        let audio = run.outputs.filter { !Self.isSilence($0) }
        #expect(audio.map { $0.metadata?.sequence } == (0..<10).map { Optional($0) })
        #expect(run.total >= 180)
        #expect(run.total < 3000, "no stall (generous: CI machines are loaded)")
    }

    @Test func speedDividesDurations() async throws {
        let run = await Self.timedRun(try Self.pacer(["speed": 4, "generate_silence": false]), (0..<10).map { Self.frame($0) })
        #expect(run.outputs.count == 10)
        #expect(run.total >= 45)
        #expect(run.total < 3000, "no stall (generous: CI machines are loaded)")
    }

    @Test func nonAudioIsDroppedAndCounted() async throws {
        let packets: [Packet] = [Self.frame(0), .text("hello"), Self.frame(1), .binary(BinaryPacket(data: [1, 2])), Self.frame(2)]
        let run = await Self.timedRun(try Self.pacer(["generate_silence": false]), packets)
        #expect(run.outputs.map { $0.metadata?.sequence } == [0, 1, 2])
        #expect(run.stats.discarded == 2)
    }

    @Test func fullQueueHoldsTheProducerBack() async throws {
        let harness = NodeHarness(try Self.pacer(["buffer_size": 2, "generate_silence": false]), inputCapacity: 1)
        let clock = ContinuousClock()
        let start = clock.now
        let feeder = Task {
            for index in 0..<10 { await harness.feed(Self.frame(UInt64(index))) }
            return start.duration(to: clock.now)
        }
        let reader = Task {
            var received = 0
            while await harness.nextOutput() != nil { received += 1 }
            return received
        }
        let feedTime = Self.milliseconds(await feeder.value)
        harness.end()
        // 2 queued + 1 in the pin + 1 being released can be absorbed; the rest wait ≥ 6 × 20 ms.
        #expect(feedTime >= 100)
        #expect(await reader.value == 10)
    }

    // MARK: Silence

    @Test func fillsAStalledInputWithSilenceThenEnds() async throws {
        let harness = NodeHarness(try Self.pacer())
        await harness.feed(Self.frame(7, sampleRate: 44_100, channels: 2))
        var outputs: [Packet] = []
        let clock = ContinuousClock()
        let start = clock.now
        while outputs.count < 4, let packet = await harness.nextOutput() { outputs.append(packet) }
        let elapsed = Self.milliseconds(start.duration(to: clock.now))
        #expect(outputs.count == 4)
        #expect(outputs.first?.metadata?.sequence == 7)
        for packet in outputs.dropFirst() {
            let frame = try #require(packet.audioFrame)
            #expect(frame.sampleRate == 44_100)
            #expect(frame.channels == 2)
            #expect(frame.samples.count == 882 * 2)
            #expect(frame.samples.allSatisfy { $0 == 0 })
        }
        // The frame, then silence every 20 ms: the fourth output comes 60 ms after the first.
        #expect(elapsed >= 55)
        #expect(elapsed < 500)

        // Once the input ends the node stops (the original kept sending silence forever).
        harness.end()
        let rest = await harness.drain()
        #expect(rest.count < 10)
        let result = await harness.result()
        #expect(throws: Never.self) { try result.get() }
    }

    @Test func audioResumesOnTheSilenceClock() async throws {
        let harness = NodeHarness(try Self.pacer())
        await harness.feed(Self.frame(0))
        var outputs: [Packet] = []
        while outputs.count < 3, let packet = await harness.nextOutput() { outputs.append(packet) }
        await harness.feed(Self.frame(1))
        harness.end()
        outputs += await harness.drain()
        let audio = outputs.filter { !Self.isSilence($0) }
        #expect(audio.map { $0.metadata?.sequence } == [0, 1])
        #expect(outputs.last?.metadata?.sequence == 1)
        let result = await harness.result()
        #expect(throws: Never.self) { try result.get() }
    }

    @Test func initialFormatStartsSilenceAtOnce() async throws {
        let harness = NodeHarness(try Self.pacer(["initial_sample_rate": 16_000, "initial_channels": 2]))
        var outputs: [Packet] = []
        while outputs.count < 3, let packet = await harness.nextOutput() { outputs.append(packet) }
        #expect(outputs.count == 3)
        for packet in outputs {
            let frame = try #require(packet.audioFrame)
            #expect(frame.sampleRate == 16_000 && frame.channels == 2)
            #expect(frame.samples.count == 320 * 2)
            #expect(Self.isSilence(packet))
        }
        harness.end()
        _ = await harness.drain()
        let result = await harness.result()
        #expect(throws: Never.self) { try result.get() }
    }

    @Test func noSilenceWhenDisabled() async throws {
        let harness = NodeHarness(try Self.pacer(["generate_silence": false, "initial_sample_rate": 48_000, "initial_channels": 1]))
        await harness.feed(Self.frame(0))
        try await Task.sleep(for: .milliseconds(100))
        harness.end()
        let outputs = await harness.drain()
        #expect(outputs.map { $0.metadata?.sequence } == [0])
    }

    // MARK: Parameters

    @Test func initialFormatIsBothOrNeither() throws {
        #expect(throws: Never.self) { try Self.pacer() }
        #expect(throws: Never.self) { try Self.pacer(["initial_sample_rate": 48_000, "initial_channels": 1]) }
        #expect(throws: Never.self) { try Self.pacer(["initial_sample_rate": nil, "initial_channels": nil]) }
        for params: JSONValue in [["initial_sample_rate": 48_000], ["initial_channels": 2],
                                  ["initial_sample_rate": 48_000, "initial_channels": nil]] {
            let error = #expect(throws: StreamKitError.self) { try Self.pacer(params) }
            #expect(error?.description.contains("must be given together") == true, "\(params)")
        }
        #expect(throws: StreamKitError.self) { try Self.pacer(["initial_sample_rate": 0, "initial_channels": 1]) }

        // The same through the registry: a factory error naming the node.
        let registry = NodeRegistry()
        registry.register(AudioPacerNode.definition)
        #expect(throws: NodeCreationError.self) {
            try registry.makeNode(kind: "audio::pacer", nodeID: "p", params: ["initial_channels": 1])
        }
        #expect(throws: Never.self) {
            try registry.makeNode(kind: "audio::pacer", nodeID: "p", params: ["initial_sample_rate": 8000, "initial_channels": 1])
        }
    }

    @Test func schemaChecksParameters() {
        let schema = AudioPacerNode.definition.paramSchema
        let valid: [JSONValue] = [[:], ["speed": 2, "buffer_size": 1, "generate_silence": false],
                                  ["initial_sample_rate": 48_000, "initial_channels": 2]]
        for params in valid {
            #expect(JSONSchemaValidator.validate(params, against: schema).isValid, "\(params)")
        }
        let invalid: [JSONValue] = [["speed": 0], ["buffer_size": 0], ["generate_silence": "yes"],
                                    ["initial_sample_rate": 0], ["initial_channels": -1], ["initial_channels": 1000]]
        for params in invalid {
            #expect(!JSONSchemaValidator.validate(params, against: schema).isValid, "\(params)")
        }
        let filled = JSONValue.object([:]).applyingDefaults(from: schema)
        #expect(filled["buffer_size"]?.intValue == 32)
        #expect(filled["generate_silence"]?.boolValue == true)
    }

    @Test func speedCanBeTunedLiveAndBadValuesAreRefused() async throws {
        let harness = NodeHarness(try Self.pacer(["speed": 0.5, "generate_silence": false]))
        let clock = ContinuousClock()
        let start = clock.now
        for index in 0..<10 { await harness.feed(Self.frame(UInt64(index))) }
        harness.end()
        _ = await harness.nextOutput()
        let refused = await harness.tune(["speed": -1])
        #expect(throws: StreamKitError.self) { try refused.get() }
        let accepted = await harness.tune(["speed": 4])
        #expect(throws: Never.self) { try accepted.get() }
        let rest = await harness.drain()
        #expect(rest.count == 9)
        // 360 ms at speed 0.5; about 45 ms at speed 4.
        #expect(Self.milliseconds(start.duration(to: clock.now)) < 340, "faster than the 360 ms speed 0.5 would take")
    }

    @Test func shutdownStopsPromptlyWhileSendingSilence() async throws {
        let harness = NodeHarness(try Self.pacer(["initial_sample_rate": 48_000, "initial_channels": 1]))
        _ = await harness.nextOutput()
        let clock = ContinuousClock()
        let start = clock.now
        harness.inbox.requestShutdown()
        _ = await harness.result()
        #expect(Self.milliseconds(start.duration(to: clock.now)) < 1000, "stops well before the 1.8 s of queued audio")
    }
}
