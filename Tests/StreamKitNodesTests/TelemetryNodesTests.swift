import Foundation
import StreamKitCore
import StreamKitEngine
import Testing
@testable import StreamKitNodes

@Suite("core::telemetry_tap and core::telemetry_out")
struct TelemetryNodesTests {
    /// Runs `node` over `packets`; returns what it forwarded, the telemetry it published, and its stats.
    private static func observe(_ node: any Node, _ packets: [Packet]) async throws -> (outputs: [Packet], events: [TelemetryEvent], stats: NodeStats) {
        let harness = NodeHarness(node)
        let feeder = Task {
            for packet in packets { await harness.feed(packet) }
            harness.end()
        }
        let outputs = node.outputPins.isEmpty ? [] : await harness.drain()
        await feeder.value
        try await harness.result().get()
        return (outputs, harness.telemetry.withLock { $0 }, harness.context.stats)
    }

    private static func tap(_ params: JSONValue) throws -> any Node { try makeNode(TelemetryTapNode.definition, params) }

    @Test func audioLevelMatchesAConstantSignal() async throws {
        // 10 frames of 20 ms at 48 kHz, constant 0.25: a level every 100 ms → 2 events.
        let frames = (0..<10).map { index in
            Packet.audio(AudioFrame(sampleRate: 48_000, channels: 1, samples: [Float](repeating: 0.25, count: 960), metadata: PacketMetadata(sequence: UInt64(index))))
        }
        let result = try await Self.observe(try Self.tap(["packet_types": ["Audio"], "audio_sample_interval_ms": 100]), frames)
        let levels = result.events.filter { $0.eventType == "audio.level" }
        #expect(levels.count == 2)
        for level in levels {
            #expect(abs((level.data["rms"]?.doubleValue ?? 0) - 0.25) < 1e-9)
            #expect(level.data["peak"]?.doubleValue == 0.25)
            #expect(level.data["sample_count"]?.intValue == 4800)
            #expect(level.data["sample_rate"]?.intValue == 48_000)
            #expect(level.data["channels"]?.intValue == 1)
            #expect(level.data["event_type"]?.stringValue == "audio.level")
            #expect(level.nodeID == "node")
        }
        // Every packet forwarded unchanged, in order.
        #expect(result.outputs.count == frames.count)
        #expect(zip(frames, result.outputs).allSatisfy(samePacket))
    }

    @Test func audioLevelSeparatesRMSFromPeak() async throws {
        // Stereo, alternating 0.6 / -0.2 per channel: RMS √((0.36 + 0.04) / 2), peak 0.6.
        let samples = (0..<(2 * 4800)).map { index -> Float in (index / 2) % 2 == 0 ? 0.6 : -0.2 }
        let packets = audioPackets(samples, rate: 48_000, channels: 2, framesPerPacket: 480)
        let result = try await Self.observe(try Self.tap(["packet_types": ["Audio"], "audio_sample_interval_ms": 50]), packets)
        let levels = result.events.filter { $0.eventType == "audio.level" }
        #expect(levels.count == 2)
        let expectedRMS = ((Double(Float(0.6)) * Double(Float(0.6)) + Double(Float(0.2)) * Double(Float(0.2))) / 2).squareRoot()
        for level in levels {
            #expect(abs((level.data["rms"]?.doubleValue ?? 0) - expectedRMS) < 1e-9)
            #expect(level.data["peak"]?.doubleValue == Double(Float(0.6)))
            #expect(level.data["channels"]?.intValue == 2)
        }
        #expect(zip(packets, result.outputs).allSatisfy(samePacket) && packets.count == result.outputs.count)
    }

    @Test func transcriptionPublishesSTTResult() async throws {
        let transcription = Transcription(
            text: "the quick brown fox",
            segments: [TranscriptionSegment(text: "the quick", startTimeMs: 0, endTimeMs: 600), TranscriptionSegment(text: "brown fox", startTimeMs: 600, endTimeMs: 1100, confidence: 0.5)],
            language: "en"
        )
        let packets: [Packet] = [.transcription(transcription), .text("not observed by default")]
        let result = try await Self.observe(try Self.tap([:]), packets)
        #expect(result.events.count == 1)
        let event = try #require(result.events.first)
        #expect(event.eventType == "stt.result")
        #expect(event.data["text_preview"]?.stringValue == "the quick brown fox")
        #expect(event.data["segment_count"]?.intValue == 2)
        let segments = try #require(event.data["segments"]?.arrayValue)
        #expect(segments.map { $0["end_time_ms"]?.intValue } == [600, 1100])
        #expect(result.outputs.count == 2)
        #expect(zip(packets, result.outputs).allSatisfy(samePacket))
    }

    @Test func customPacketsUseTheirOwnEventNames() async throws {
        let packets: [Packet] = [
            .custom(CustomPacket(typeID: "app::ui/event@1", data: ["event_type": "app.clicked", "x": 3])),
            .custom(CustomPacket(typeID: "plugin::vad/event@1", data: ["event_type": "speech_start", "probability": 0.75])),
            .custom(CustomPacket(typeID: "app::other@1", data: ["no_type": true])),
        ]
        let result = try await Self.observe(try Self.tap([:]), packets)
        #expect(result.events.map(\.eventType) == ["app.clicked", "vad.speech_start", "custom.unknown"])
        #expect(result.events[0].data["x"]?.intValue == 3)
        #expect(result.events[0].data["source_type_id"]?.stringValue == "app::ui/event@1")
        #expect(result.events[1].data["probability"]?.doubleValue == 0.75)
        #expect(result.events[1].data["source_event_type"]?.stringValue == "speech_start")
        #expect(result.events.allSatisfy { $0.data["event_type"]?.stringValue == $0.eventType })
        #expect(result.outputs.count == 3)
    }

    @Test func eventTypeFilterKeepsOnlyMatchingEvents() async throws {
        let packets: [Packet] = [
            .custom(CustomPacket(typeID: "plugin::vad/event@1", data: ["event_type": "speech_start"])),
            .custom(CustomPacket(typeID: "app::ui/event@1", data: ["event_type": "app.clicked"])),
            .transcription(Transcription(text: "hi")),
            .custom(CustomPacket(typeID: "plugin::vad/event@1", data: ["event_type": "speech_end"])),
        ]
        let prefixed = try await Self.observe(try Self.tap(["event_type_filter": ["vad.*"]]), packets)
        #expect(prefixed.events.map(\.eventType) == ["vad.speech_start", "vad.speech_end"])
        #expect(prefixed.outputs.count == packets.count)
        let exact = try await Self.observe(try Self.tap(["event_type_filter": ["stt.result", "app.clicked"]]), packets)
        #expect(exact.events.map(\.eventType) == ["app.clicked", "stt.result"])
    }

    @Test func maxEventsPerSecondIsHonoured() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let packets = (0..<40).map { Packet.text("message \($0)") }
        let result = try await Self.observe(try Self.tap(["packet_types": ["Text"], "max_events_per_sec": 5]), packets)
        let elapsed = started.duration(to: clock.now)
        let events = result.events.filter { $0.eventType == "text.received" }
        // Fixed one-second windows: at most 5 per window that the run touched.
        let windows = Int(elapsed.components.seconds) + 1
        #expect(events.count >= 5)
        #expect(events.count <= 5 * windows)
        if elapsed < .seconds(1) { #expect(events.count == 5) }
        #expect(events.first?.data["text_preview"]?.stringValue == "message 0")
        // The limit only applies to telemetry: every packet is forwarded.
        #expect(result.outputs.count == packets.count)
    }

    @Test func telemetryOutPublishesButForwardsNothing() async throws {
        let node = try makeNode(TelemetryOutNode.definition, ["packet_types": ["Transcription", "Text"]])
        #expect(node.outputPins.isEmpty)
        let packets: [Packet] = [.transcription(Transcription(text: "hello there", language: "fr")), .text("abc"), .binary(BinaryPacket(data: [1]))]
        let result = try await Self.observe(node, packets)
        #expect(result.events.map(\.eventType) == ["stt.result", "text.received"])
        #expect(result.events[0].data["text_length"]?.intValue == 11)
        #expect(result.events[0].data["language"]?.stringValue == "fr")
        #expect(result.events[1].data["length"]?.intValue == 3)
        #expect(result.stats.received == 3)
        #expect(result.stats.sent == 0)
        // The binary packet was not observed (not in packet_types) and is counted as discarded.
        #expect(result.stats.discarded == 1)
    }

    @Test func telemetryOutInAPipelineSendsNothingDownstream() async throws {
        let yaml = """
            nodes:
              in:
                kind: streamkit::http_input
              watch:
                kind: core::telemetry_out
                params:
                  packet_types: [Binary]
                needs: in
            """
        let output = try await PipelineRun.run(yaml, input: [UInt8](repeating: 7, count: 5000), pattern: [1000])
        let stats = try #require(output.summary.stats["watch"])
        #expect(stats.received == 5)
        #expect(stats.sent == 0)
        #expect(output.summary.stats["in"]?.sent == 5)
    }
}
