import Foundation
import StreamKitCore
import StreamKitEngine
import Testing
@testable import StreamKitNodes

@Suite("core::passthrough and core::sink")
struct PassthroughSinkTests {
    /// `count` packets cycling through every variant, each numbered by its metadata or content.
    private static func mixedPackets(_ count: Int) -> [Packet] {
        (0..<count).map { index in
            let metadata = PacketMetadata(timestampUs: UInt64(index) * 20_000, durationUs: 20_000, sequence: UInt64(index))
            switch index % 5 {
            case 0: return .audio(AudioFrame(sampleRate: 48_000, channels: 2, samples: [Float](repeating: Float(index) / 1000, count: 64), metadata: metadata))
            case 1: return .text("packet \(index)")
            case 2: return .binary(BinaryPacket(data: [UInt8(index & 0xFF), UInt8(index >> 8)] + [UInt8](repeating: 9, count: 100), contentType: "application/octet-stream", metadata: metadata))
            case 3: return .custom(CustomPacket(typeID: "test::counter@1", data: ["n": .number(Double(index))], metadata: metadata))
            default: return .transcription(Transcription(text: "t\(index)", segments: [TranscriptionSegment(text: "t", startTimeMs: UInt64(index), endTimeMs: UInt64(index + 1))], metadata: metadata))
            }
        }
    }

    @Test func passthroughPreservesOrderAndIdentity() async throws {
        let packets = Self.mixedPackets(1000)
        let harness = NodeHarness(try makeNode(PassthroughNode.definition), inputCapacity: 8)
        let feeder = Task {
            for packet in packets { await harness.feed(packet) }
            harness.end()
        }
        let outputs = await harness.drain()
        await feeder.value
        try await harness.result().get()

        #expect(outputs.count == packets.count)
        let mismatched = zip(packets, outputs).enumerated().filter { !samePacket($0.element.0, $0.element.1) }.map(\.offset)
        #expect(mismatched.isEmpty, "first mismatch at \(mismatched.first ?? -1)")
        #expect(outputs.map(\.variantName) == packets.map(\.variantName))
        // Nothing was copied: audio and binary payloads share the sender's storage.
        for (sent, received) in zip(packets, outputs) {
            switch (sent, received) {
            case (.audio(let a), .audio(let b)):
                #expect(a.samples.withUnsafeBufferPointer { $0.baseAddress } == b.samples.withUnsafeBufferPointer { $0.baseAddress })
            case (.binary(let a), .binary(let b)):
                #expect(a.data.withUnsafeBufferPointer { $0.baseAddress } == b.data.withUnsafeBufferPointer { $0.baseAddress })
            default:
                continue
            }
        }
        let stats = harness.context.stats
        #expect(stats.received == 1000)
        #expect(stats.sent == 1000)
        #expect(stats.discarded == 0)
    }

    @Test func passthroughRejectsLiveParameters() async throws {
        let harness = NodeHarness(try makeNode(PassthroughNode.definition))
        let answer = await harness.tune(["anything": 1])
        harness.end()
        _ = await harness.drain()
        try await harness.result().get()
        #expect(throws: StreamKitError.self) { try answer.get() }
    }

    @Test func sinkCountsEveryPacketAsDiscarded() async throws {
        let packets = Self.mixedPackets(250)
        let harness = NodeHarness(try makeNode(SinkNode.definition))
        #expect(harness.node.outputPins.isEmpty)
        for packet in packets { await harness.feed(packet) }
        harness.end()
        try await harness.result().get()
        let stats = harness.context.stats
        #expect(stats.received == 250)
        #expect(stats.discarded == 250)
        #expect(stats.sent == 0)
        #expect(stats.errored == 0)
    }

    @Test func sinkInAPipelineConsumesEveryChunk() async throws {
        let yaml = """
            steps:
              - kind: streamkit::http_input
              - kind: core::passthrough
              - kind: core::sink
            """
        let output = try await PipelineRun.run(yaml, input: [UInt8](repeating: 1, count: 10_000), pattern: [999])
        #expect(output.summary.stats["step_1"]?.sent == 11)
        #expect(output.summary.stats["step_2"]?.received == 11)
        #expect(output.summary.stats["step_2"]?.discarded == 11)
    }
}
