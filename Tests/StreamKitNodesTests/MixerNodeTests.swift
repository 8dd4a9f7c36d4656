import Foundation
import StreamKitCore
import StreamKitSchema
import Synchronization
import Testing

@testable import StreamKitNodes

@Suite("audio::mixer")
struct MixerNodeTests {
    // MARK: Helpers (test-only)

    /// Cuts `samples` (interleaved) into frames of `size` samples per channel (the last may be shorter).
    static func frames(_ samples: [Float], channels: Int = 1, rate: Int = 48_000, size: Int, startUs: UInt64? = nil) -> [AudioFrame] {
        var result: [AudioFrame] = []
        var offset = 0
        while offset < samples.count {
            let end = min(samples.count, offset + size * channels)
            var metadata: PacketMetadata?
            if let startUs {
                metadata = PacketMetadata(timestampUs: startUs + UInt64(offset / channels) * 1_000_000 / UInt64(rate))
            }
            result.append(AudioFrame(sampleRate: rate, channels: channels, samples: Array(samples[offset..<end]), metadata: metadata))
            offset = end
        }
        return result
    }

    static func mixer(_ params: JSONValue = [:]) throws -> MixerNode {
        try MixerNode(params: params.applyingDefaults(from: MixerNode.definition.paramSchema))
    }

    /// Runs a mixer in a oneshot harness, feeding each pin from its own task, and collects its output.
    static func run(_ node: MixerNode, _ inputs: [(pin: String, frames: [AudioFrame])], extraPins: [String] = [])
        async -> (frames: [AudioFrame], result: Result<Void, any Error>)
    {
        let harness = NodeHarness(node, extraInputPins: extraPins)
        var feeders: [Task<Void, Never>] = []
        for (pin, frames) in inputs {
            feeders.append(Task {
                for frame in frames { await harness.feed(.audio(frame), pin: pin) }
                harness.end(pin)
            })
        }
        let outputs = await harness.drain().compactMap(\.audioFrame)
        for feeder in feeders { await feeder.value }
        return (outputs, await harness.result())
    }

    static func samples(_ frames: [AudioFrame]) -> [Float] { frames.flatMap(\.samples) }

    static func errorText(_ result: Result<Void, any Error>) -> String? {
        if case .failure(let error) = result { return String(describing: error) }
        return nil
    }

    // MARK: Mixing math

    @Test func twoConstantsSumExactly() async throws {
        let a = Self.frames([Float](repeating: 0.25, count: 2880), size: 960)
        let b = Self.frames([Float](repeating: 0.5, count: 2880), size: 960)
        let (out, result) = await Self.run(try Self.mixer(["num_inputs": 2]), [("in_0", a), ("in_1", b)])
        #expect(Self.errorText(result) == nil)
        let mixed = Self.samples(out)
        #expect(mixed.count == 2880)
        #expect(mixed.allSatisfy { $0 == 0.75 })
        #expect(out.allSatisfy { $0.sampleRate == 48_000 && $0.channels == 1 })
    }

    @Test func sineWithSilenceIsBitExact() async throws {
        let sine = Signal.sine(frequency: 440, sampleRate: 48_000, frames: 9600, amplitude: 0.99)
        let silence = [Float](repeating: 0, count: 9600)
        let (out, result) = await Self.run(
            try Self.mixer(["num_inputs": 2]),
            [("in_0", Self.frames(sine, size: 960)), ("in_1", Self.frames(silence, size: 960))])
        #expect(Self.errorText(result) == nil)
        #expect(Self.samples(out) == sine)
    }

    @Test func threeInputsSum() async throws {
        let values: [Float] = [0.125, -0.25, 0.5]
        let inputs = values.enumerated().map { index, value in
            (pin: "in_\(index)", frames: Self.frames([Float](repeating: value, count: 1920), size: 480))
        }
        let (out, _) = await Self.run(try Self.mixer(["num_inputs": 3]), inputs)
        #expect(Self.samples(out) == [Float](repeating: 0.375, count: 1920))
    }

    @Test func fullScaleInputsNeverClip() async throws {
        let sine = Signal.sine(frequency: 440, sampleRate: 48_000, frames: 48_000, amplitude: 1.0)
        let other = Signal.sine(frequency: 660, sampleRate: 48_000, frames: 48_000, amplitude: 1.0)
        for second in [sine, other] {
            let (out, result) = await Self.run(
                try Self.mixer(["num_inputs": 2]),
                [("in_0", Self.frames(sine, size: 960)), ("in_1", Self.frames(second, size: 960))])
            #expect(Self.errorText(result) == nil)
            let mixed = Self.samples(out)
            #expect(mixed.count == 48_000)
            #expect(Signal.peak(mixed) <= 1.0)
            // Turned down, not squashed: a full-scale sine has RMS 0.707; the mix stays in the same range.
            let rms = Signal.rms(mixed)
            #expect(rms > 0.45 && rms < 0.8, "rms \(rms)")
        }
    }

    @Test func unequalLengthsKeepTheLongerTail() async throws {
        let short = [Float](repeating: 0.25, count: 3 * 960)
        let long = Signal.sine(frequency: 300, sampleRate: 48_000, frames: 5 * 960, amplitude: 0.5)
        let (out, result) = await Self.run(
            try Self.mixer(["num_inputs": 2]),
            [("in_0", Self.frames(short, size: 960)), ("in_1", Self.frames(long, size: 960))])
        #expect(Self.errorText(result) == nil)
        let mixed = Self.samples(out)
        #expect(mixed.count == long.count)
        #expect(Array(mixed[..<short.count]) == zip(short, long).map { $0 + $1 })
        #expect(Array(mixed[short.count...]) == Array(long[short.count...]))
    }

    @Test func monoAndStereoMixToStereo() async throws {
        let mono = Signal.sine(frequency: 200, sampleRate: 48_000, frames: 1920, amplitude: 0.3)
        var stereo: [Float] = []
        for index in 0..<1920 { stereo += [0.1, Float(index % 7) * -0.05] }
        let (out, result) = await Self.run(
            try Self.mixer(["num_inputs": 2]),
            [("in_0", Self.frames(mono, size: 960)), ("in_1", Self.frames(stereo, channels: 2, size: 960))])
        #expect(Self.errorText(result) == nil)
        #expect(out.allSatisfy { $0.channels == 2 })
        let mixed = Self.samples(out)
        #expect(mixed.count == 3840)
        var expected: [Float] = []
        for index in 0..<1920 { expected += [mono[index] + stereo[2 * index], mono[index] + stereo[2 * index + 1]] }
        #expect(mixed == expected)
    }

    @Test func monoWithStereoSilenceDuplicatesTheChannel() async throws {
        let mono = Signal.sine(frequency: 200, sampleRate: 48_000, frames: 960, amplitude: 0.8)
        let (out, _) = await Self.run(
            try Self.mixer(["num_inputs": 2]),
            [("in_0", Self.frames(mono, size: 960)),
             ("in_1", Self.frames([Float](repeating: 0, count: 1920), channels: 2, size: 960))])
        #expect(Self.samples(out) == mono.flatMap { [$0, $0] })
    }

    @Test func differentFrameSizesMixSampleBySample() async throws {
        let a = Signal.sine(frequency: 440, sampleRate: 48_000, frames: 9600, amplitude: 0.4)
        let b = Signal.sine(frequency: 97, sampleRate: 48_000, frames: 9600, amplitude: 0.4)
        let (out, result) = await Self.run(
            try Self.mixer(["num_inputs": 2]),
            [("in_0", Self.frames(a, size: 960)), ("in_1", Self.frames(b, size: 441))])
        #expect(Self.errorText(result) == nil)
        #expect(Self.samples(out) == zip(a, b).map { $0 + $1 })
        // Durations follow the sample counts.
        for frame in out { #expect(frame.metadata?.durationUs == UInt64(frame.frameCount) * 1_000_000 / 48_000) }
    }

    @Test func sampleRateMismatchFailsNamingThePins() async throws {
        let a = Self.frames([Float](repeating: 0.1, count: 960), rate: 48_000, size: 960)
        let b = Self.frames([Float](repeating: 0.1, count: 320), rate: 16_000, size: 320)
        let (_, result) = await Self.run(try Self.mixer(["num_inputs": 2]), [("in_0", a), ("in_1", b)])
        let message = try #require(Self.errorText(result))
        #expect(message.contains("in_0") && message.contains("in_1"))
        #expect(message.contains("48000 Hz") && message.contains("16000 Hz"))
        #expect(message.contains("audio::resampler"))
    }

    @Test func singleInputPinNamedInPassesThroughWithTimestamps() async throws {
        let sine = Signal.sine(frequency: 1000, sampleRate: 48_000, frames: 4800, amplitude: 0.7)
        let (out, result) = await Self.run(
            try Self.mixer(), [("in", Self.frames(sine, size: 960, startUs: 1_000_000))], extraPins: ["in"])
        #expect(Self.errorText(result) == nil)
        #expect(Self.samples(out) == sine)
        #expect(out.map(\.frameCount) == [960, 960, 960, 960, 960])
        #expect(out.map { $0.metadata?.timestampUs } == [1_000_000, 1_020_000, 1_040_000, 1_060_000, 1_080_000])
        #expect(out.map { $0.metadata?.sequence } == [0, 1, 2, 3, 4])
    }

    @Test func dynamicFamilyPinsAreInputs() async throws {
        let (out, result) = await Self.run(
            try Self.mixer(),
            [("in_0", Self.frames([Float](repeating: 0.25, count: 960), size: 960)),
             ("in_5", Self.frames([Float](repeating: 0.125, count: 960), size: 960))],
            extraPins: ["in_0", "in_5"])
        #expect(Self.errorText(result) == nil)
        #expect(Self.samples(out) == [Float](repeating: 0.375, count: 960))
    }

    @Test func nonAudioPacketsAreDiscarded() async throws {
        let harness = NodeHarness(try Self.mixer(["num_inputs": 1]))
        await harness.feed(.text("hello"), pin: "in_0")
        await harness.feed(.audio(AudioFrame(sampleRate: 48_000, channels: 1, samples: [0.5, 0.25])), pin: "in_0")
        harness.end("in_0")
        let out = await harness.drain().compactMap(\.audioFrame)
        #expect(Self.samples(out) == [0.5, 0.25])
        #expect(harness.context.stats.discarded == 1)
    }

    @Test func clockedModeEmitsFixedFrames() async throws {
        let node = try Self.mixer(["num_inputs": 2, "clocked": ["frame_samples_per_channel": 480]])
        let (out, result) = await Self.run(node, [
            ("in_0", Self.frames([Float](repeating: 0.25, count: 2000), size: 960)),
            ("in_1", Self.frames([Float](repeating: 0.25, count: 1000), size: 500)),
        ])
        #expect(Self.errorText(result) == nil)
        #expect(out.allSatisfy { $0.frameCount == 480 })
        let mixed = Self.samples(out)
        // 2000 samples → 5 frames of 480, the last padded with silence.
        #expect(mixed.count == 2400)
        #expect(Array(mixed[0..<1000]).allSatisfy { $0 == 0.5 })
        #expect(Array(mixed[1000..<2000]).allSatisfy { $0 == 0.25 })
        #expect(Array(mixed[2000...]).allSatisfy { $0 == 0 })

        let wrongRate = try Self.mixer(["num_inputs": 1, "clocked": ["sample_rate": 48_000]])
        let (_, failed) = await Self.run(wrongRate, [("in_0", Self.frames([0.1], rate: 44_100, size: 1))])
        #expect(Self.errorText(failed)?.contains("44100 Hz") == true)
    }

    // MARK: Pins and parameters

    @Test func pinsFollowNumInputs() throws {
        let three = try Self.mixer(["num_inputs": 3])
        #expect(three.inputPins.map(\.name) == ["in_0", "in_1", "in_2"])
        #expect(three.inputPins.allSatisfy { $0.cardinality == .one && $0.acceptsTypes == [.anyRawAudio] })
        let open = try Self.mixer()
        #expect(open.inputPins.count == 1)
        #expect(open.inputPins.first?.cardinality == .dynamic(prefix: "in"))
        #expect(open.inputPins.first?.matches("in") == true && open.inputPins.first?.matches("in_7") == true)
        #expect(open.outputPins.map(\.name) == ["out"])
        #expect(MixerNode.definition.kind == "audio::mixer")
    }

    @Test func schemaDefaultsAndValidation() throws {
        let schema = MixerNode.definition.paramSchema
        let filled = JSONValue.object([:]).applyingDefaults(from: schema)
        #expect(filled["sync_timeout_ms"] == 100)
        #expect(filled["num_inputs"] == .null)
        #expect(filled["clocked"] == .null)
        let node = try MixerNode(params: filled)
        #expect(node.syncTimeoutMilliseconds == 100 && node.numInputs == nil && node.clock == nil)

        #expect(JSONSchemaValidator.validate(["num_inputs": 0], against: schema).violations.isEmpty == false)
        #expect(JSONSchemaValidator.validate(["sync_timeout_ms": -1], against: schema).violations.isEmpty == false)
        #expect(JSONSchemaValidator.validate(["sync_timeout_ms": .null, "num_inputs": 2], against: schema).violations.isEmpty)
        let clocked = JSONValue.object(["clocked": ["sample_rate": 16_000]]).applyingDefaults(from: schema)
        let clockedNode = try MixerNode(params: clocked)
        #expect(clockedNode.clock == MixerNode.Clock(sampleRate: 16_000, frameSamples: 960, jitterBufferFrames: 3, generateSilence: true))
        #expect(throws: StreamKitError.self) { try MixerNode(params: ["num_inputs": 0]) }
    }

    // MARK: Backpressure

    @Test func aheadInputIsHeldBackAndMemoryStaysBounded() async throws {
        let harness = NodeHarness(try Self.mixer(["num_inputs": 2]), inputCapacity: 4)
        let fed = Atomic<Int>(0)
        let total = 100
        let frame = AudioFrame(sampleRate: 48_000, channels: 1, samples: [Float](repeating: 0.25, count: 960))
        let feeder = Task {
            for _ in 0..<total {
                await harness.feed(.audio(frame), pin: "in_0")
                fed.add(1, ordering: .relaxed)
            }
            harness.end("in_0")
        }
        // Wait until the feeder stops making progress (it is parked on the full pin).
        var last = -1
        for _ in 0..<50 {
            try await Task.sleep(for: .milliseconds(100))
            let now = fed.load(ordering: .relaxed)
            if now == last { break }
            last = now
        }
        // The mixer holds at most half a second (25 frames of 960) plus one frame; the inbox 4 more.
        let accepted = fed.load(ordering: .relaxed)
        #expect(accepted < total)
        #expect(accepted <= 25 + 1 + 4 + 1)
        #expect((harness.inbox.queuedCounts["in_0"] ?? 0) <= 5)

        // Once the other input ends, everything flows.
        harness.end("in_1")
        let out = await harness.drain().compactMap(\.audioFrame)
        await feeder.value
        #expect(Self.samples(out).count == total * 960)
        #expect(Self.samples(out).allSatisfy { $0 == 0.25 })
    }

    // MARK: Dynamic sessions

    @Test func dynamicTimeoutSubstitutesSilenceAndDegrades() async throws {
        let harness = NodeHarness(try Self.mixer(["num_inputs": 2, "sync_timeout_ms": 5_000]), mode: .dynamic)
        func frame(_ value: Float) -> Packet {
            .audio(AudioFrame(sampleRate: 48_000, channels: 1, samples: [Float](repeating: value, count: 960)))
        }
        // Both deliver: a normal mix (a long timeout so a slow machine cannot split it).
        await harness.feed(frame(0.25), pin: "in_0")
        await harness.feed(frame(0.5), pin: "in_1")
        let first = try #require(await harness.nextOutput()?.audioFrame)
        #expect(first.samples.allSatisfy { $0 == 0.75 })

        // in_1 goes quiet: after 50 ms in_0 is mixed with silence and the node degrades.
        #expect(await harness.tune(["sync_timeout_ms": 50]).isSuccess)
        await harness.feed(frame(0.25), pin: "in_0")
        let second = try #require(await harness.nextOutput()?.audioFrame)
        #expect(second.samples.allSatisfy { $0 == 0.25 })
        let degraded = harness.states.withLock { $0 }.last
        #expect(degraded == .degraded(reason: "slow_input_timeout", details: [
            "slow_pins": ["in_1"], "newly_slow_pins": ["in_1"], "sync_timeout_ms": 50,
        ]))

        // in_1 delivers again: back to running, and mixing resumes.
        #expect(await harness.tune(["sync_timeout_ms": 5_000]).isSuccess)
        await harness.feed(frame(0.5), pin: "in_1")
        await harness.feed(frame(0.25), pin: "in_0")
        let third = try #require(await harness.nextOutput()?.audioFrame)
        #expect(third.samples.allSatisfy { $0 == 0.75 })
        #expect(harness.states.withLock { $0 }.last == .running)

        // Other parameters cannot change while running.
        #expect(await harness.tune(["num_inputs": 5]).isSuccess == false)
        #expect(await harness.tune(["clocked": ["sample_rate": 8000]]).isSuccess == false)
        #expect(await harness.tune(["num_inputs": 2, "sync_timeout_ms": 20]).isSuccess)

        harness.end("in_0")
        harness.end("in_1")
        #expect(await harness.drain().isEmpty)
        #expect(Self.errorText(await harness.result()) == nil)
    }

    @Test func dynamicInputsThatNeverStartedOrJoinLateDoNotStall() async throws {
        func frame(_ value: Float) -> Packet {
            .audio(AudioFrame(sampleRate: 48_000, channels: 1, samples: [Float](repeating: value, count: 960)))
        }
        // in_1 never delivers: after one timeout in_0 plays alone, without degrading the node.
        let harness = NodeHarness(try Self.mixer(["num_inputs": 2, "sync_timeout_ms": 50]), mode: .dynamic)
        await harness.feed(frame(0.25), pin: "in_0")
        let alone = try #require(await harness.nextOutput()?.audioFrame)
        #expect(alone.samples.allSatisfy { $0 == 0.25 })
        #expect(!harness.states.withLock { $0 }.contains { $0.name == "degraded" })

        // A pin linked while audio flows joins with its first frame; until then it is not waited for.
        let open = NodeHarness(try Self.mixer(["sync_timeout_ms": 5_000]), mode: .dynamic, extraInputPins: ["in_0"])
        await open.feed(frame(0.25), pin: "in_0")
        _ = try #require(await open.nextOutput())
        open.inbox.addPin("in_1", capacity: 8)
        open.inbox.addWriter(to: "in_1")
        let started = ContinuousClock.now
        await open.feed(frame(0.25), pin: "in_0")
        let before = try #require(await open.nextOutput()?.audioFrame)
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(before.samples.allSatisfy { $0 == 0.25 })
        await open.feed(frame(0.5), pin: "in_1")
        await open.feed(frame(0.25), pin: "in_0")
        let joined = try #require(await open.nextOutput()?.audioFrame)
        #expect(joined.samples.allSatisfy { $0 == 0.75 })
        open.end("in_0")
        open.end("in_1")
        #expect(await open.drain().isEmpty)
        harness.end("in_0")
        harness.end("in_1")
        _ = await harness.drain()
    }

    @Test func oneshotNeverTimesOut() async throws {
        // A zero timeout would substitute silence at once in a dynamic session; oneshot waits.
        let harness = NodeHarness(try Self.mixer(["num_inputs": 2, "sync_timeout_ms": 0]))
        let frame = AudioFrame(sampleRate: 48_000, channels: 1, samples: [Float](repeating: 0.25, count: 960))
        await harness.feed(.audio(frame), pin: "in_0")
        try await Task.sleep(for: .milliseconds(100))
        await harness.feed(.audio(frame), pin: "in_1")
        harness.end("in_0")
        harness.end("in_1")
        let out = await harness.drain().compactMap(\.audioFrame)
        #expect(Self.samples(out) == [Float](repeating: 0.5, count: 960))
    }

    // MARK: Pure helpers

    @Test func channelConversions() {
        #expect(MixChannels.convert([0.2, 0.4, -1, 1], from: 2, to: 1) == [Float(0.2 + 0.4) * 0.5, 0])
        #expect(MixChannels.convert([0.3, 0.6], from: 1, to: 2) == [0.3, 0.3, 0.6, 0.6])
        #expect(MixChannels.convert([1, 2, 3, 4], from: 2, to: 3) == [1, 2, 1, 3, 4, 3])
        #expect(MixChannels.convert([1, 2, 3, 4, 5, 6], from: 3, to: 2) == [1, 2, 4, 5])
    }

    @Test func limiterBoundsPeaksAndRecoversToBitExact() {
        var limiter = MixLimiter(sampleRate: 48_000)
        var loud = [Float](repeating: 1.8, count: 960)
        limiter.process(&loud, channels: 1)
        #expect(loud.allSatisfy { abs($0) <= 1 })
        #expect(abs(loud[480] - 1) < 1e-6)
        #expect(limiter.gain < 1)
        // After enough quiet audio the gain is back at exactly 1 and blocks pass untouched.
        var quiet = Signal.sine(frequency: 100, sampleRate: 48_000, frames: 9600, amplitude: 0.9)
        limiter.process(&quiet, channels: 1)
        #expect(limiter.gain == 1)
        let original = Signal.sine(frequency: 100, sampleRate: 48_000, frames: 960, amplitude: 0.9)
        var block = original
        limiter.process(&block, channels: 1)
        #expect(block == original)
    }
}

extension Result {
    fileprivate var isSuccess: Bool { if case .success = self { true } else { false } }
}
