import Foundation
import StreamKitCore
import StreamKitEngine
import StreamKitSchema
import Testing
@testable import StreamKitNodes

@Suite("audio::gain")
struct GainNodeTests {
    /// Deterministic noise in [-0.4, 0.4], `frames` × `channels` interleaved.
    private static func noise(frames: Int, channels: Int = 1, seed: UInt64 = 42) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<frames * channels).map { _ in Float.random(in: -0.4...0.4, using: &generator) }
    }

    private static func frames(_ samples: [Float], rate: Int = 48_000, channels: Int = 1) -> [Packet] {
        audioPackets(samples, rate: rate, channels: channels, framesPerPacket: 480)
    }

    @Test func gainTwoDoublesEverySampleAndTheRMS() async throws {
        let input = Self.noise(frames: 4800, channels: 2)
        let packets = Self.frames(input, channels: 2)
        let run = await NodeHarness.run(try makeNode(GainNode.definition, ["gain": 2.0]), feeding: packets)
        try run.result.get()
        let output = allSamples(run.outputs)
        #expect(output.count == input.count)
        // No ramp is active (the gain never changed), so each sample is exactly doubled.
        let mismatches = zip(input, output).filter { $0.0 * 2 != $0.1 }.count
        #expect(mismatches == 0)
        let ratio = Signal.rms(output) / Signal.rms(input)
        #expect(abs(ratio - 2) / 2 <= 1e-6)
        // Frame structure and metadata pass through untouched.
        #expect(run.outputs.count == packets.count)
        for (sent, received) in zip(packets, run.outputs) {
            #expect(received.audioFrame?.metadata == sent.audioFrame?.metadata)
            #expect(received.audioFrame?.channels == 2)
            #expect(received.audioFrame?.sampleRate == 48_000)
        }
    }

    @Test func gainZeroSilences() async throws {
        let input = Self.noise(frames: 2400)
        let run = await NodeHarness.run(try makeNode(GainNode.definition, ["gain": 0.0]), feeding: Self.frames(input))
        try run.result.get()
        let output = allSamples(run.outputs)
        #expect(output.count == input.count)
        #expect(Signal.rms(input) > 0.1)
        #expect(output.allSatisfy { $0 == 0 })
    }

    @Test func nonAudioPacketsAreForwardedUnchanged() async throws {
        let others: [Packet] = [
            .text("hello"),
            .binary(BinaryPacket(data: [1, 2, 3, 255], contentType: "application/x-test", metadata: PacketMetadata(sequence: 9))),
            .custom(CustomPacket(typeID: "test::thing@1", data: ["k": 1.5], metadata: PacketMetadata(timestampUs: 5))),
            .transcription(Transcription(text: "hi there", segments: [TranscriptionSegment(text: "hi", startTimeMs: 0, endTimeMs: 200)], language: "en")),
        ]
        let audio = Packet.audio(AudioFrame(sampleRate: 16_000, channels: 1, samples: [0.25, -0.5]))
        let run = await NodeHarness.run(try makeNode(GainNode.definition, ["gain": 3.0]), feeding: others + [audio])
        try run.result.get()
        #expect(run.outputs.count == others.count + 1)
        for (sent, received) in zip(others, run.outputs) {
            #expect(samePacket(sent, received), "\(received.variantName) changed")
        }
        #expect(run.outputs.last?.audioFrame?.samples == [0.75, -1.5])
    }

    @Test func liveTuneRampsWithoutAClickAndSettlesExactly() async throws {
        let rampMs = 10.0
        let rate = 48_000
        let rampFrames = Int(rampMs * Double(rate) / 1000)
        let harness = NodeHarness(try makeNode(GainNode.definition, ["gain": 1.0, "ramp_ms": .number(rampMs)]))
        let ones = [Float](repeating: 1, count: 480)
        func frame() -> Packet { .audio(AudioFrame(sampleRate: rate, channels: 1, samples: ones)) }

        // Two frames at gain 1, each read back so they were processed before the tune.
        var output: [Float] = []
        for _ in 0..<2 {
            await harness.feed(frame())
            output += try #require(await harness.nextOutput()?.audioFrame).samples
        }
        let changeAt = output.count
        let answer = await harness.tune(["gain": 0.5])
        #expect(throws: Never.self) { try answer.get() }
        // Enough frames for the ramp (480 frames) and well past it.
        for _ in 0..<4 { await harness.feed(frame()) }
        harness.end()
        output += allSamples(await harness.drain())
        try await harness.result().get()

        #expect(output.count == 6 * 480)
        #expect(output[..<changeAt].allSatisfy { $0 == 1 })
        let steps = zip(output.dropFirst(), output).map { abs($0 - $1) }
        let largestStep = try #require(steps.max())
        let rampStep = Float(1 - 0.5) / Float(rampFrames)
        #expect(largestStep <= rampStep + 1e-6, "largest step \(largestStep) > ramp step \(rampStep)")
        // The ramp moves monotonically down and really is a ramp, not a jump.
        #expect(zip(output.dropFirst(), output).allSatisfy { $0 <= $1 })
        #expect(output[changeAt] < 1 && output[changeAt] > 0.99)
        // After ramp_ms (plus one frame of float slack) the gain is exactly 0.5.
        let settled = output[(changeAt + rampFrames + 1)...]
        #expect(!settled.isEmpty)
        #expect(settled.allSatisfy { $0 == 0.5 })
        // Halfway through the ramp the gain is halfway between.
        #expect(abs(output[changeAt + rampFrames / 2 - 1] - 0.75) < 0.01)
    }

    @Test func rampAppliesTheSameGainToEveryChannelOfAFrame() async throws {
        let harness = NodeHarness(try makeNode(GainNode.definition, ["gain": 2.0, "ramp_ms": 5]))
        let answer = await harness.tune(["gain": 1.0])
        #expect(throws: Never.self) { try answer.get() }
        let stereo = [Float](repeating: 0.25, count: 2 * 480)
        await harness.feed(.audio(AudioFrame(sampleRate: 48_000, channels: 2, samples: stereo)))
        harness.end()
        let output = allSamples(await harness.drain())
        #expect(output.count == stereo.count)
        for frame in 0..<480 {
            #expect(output[2 * frame] == output[2 * frame + 1])
        }
        // 5 ms at 48 kHz = 240 frames of ramp from 2 to 1: starts near 0.5, ends at exactly 0.25.
        #expect(output[0] < 0.5 && output[0] > 0.49)
        #expect(output[2 * 300] == 0.25)
    }

    @Test func schemaRejectsOutOfRangeAndNonNumericGain() throws {
        let schema = GainNode.definition.paramSchema
        #expect(JSONSchemaValidator.validate(["gain": 2.0], against: schema).isValid)
        #expect(JSONSchemaValidator.validate(["gain": 4.0], against: schema).isValid)
        for bad: JSONValue in [5, "x", -0.5] {
            let result = JSONSchemaValidator.validate(["gain": bad], against: schema)
            #expect(!result.isValid, "gain \(bad) was accepted")
            let messages = result.violations.map(\.description)
            #expect(messages.contains { $0.contains("params.gain") }, "messages: \(messages)")
        }
    }
}
