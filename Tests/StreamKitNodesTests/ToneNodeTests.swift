import Foundation
import StreamKitCore
import StreamKitEngine
import Testing
@testable import StreamKitNodes

@Suite("audio::tone")
struct ToneNodeTests {
    /// Runs a tone node with `params` to its end and returns its frames.
    private static func generate(_ params: JSONValue) async throws -> [AudioFrame] {
        let run = await NodeHarness.run(try makeNode(ToneNode.definition, params), feeding: [])
        try run.result.get()
        let frames = run.outputs.compactMap(\.audioFrame)
        #expect(frames.count == run.outputs.count)
        return frames
    }

    /// Upward zero crossings (negative → non-negative) of one channel.
    private static func upwardCrossings(_ samples: [Float]) -> Int {
        zip(samples, samples.dropFirst()).filter { $0 < 0 && $1 >= 0 }.count
    }

    @Test(arguments: [(frequency: 440.0, rate: 48_000, amplitude: 0.5), (frequency: 1000.0, rate: 44_100, amplitude: 0.8), (frequency: 3000.0, rate: 16_000, amplitude: 0.25)])
    func sineHasTheRightRMSAndFrequency(frequency: Double, rate: Int, amplitude: Double) async throws {
        let frames = try await Self.generate([
            "waveform": "sine", "frequency": .number(frequency), "amplitude": .number(amplitude),
            "sample_rate": .number(Double(rate)), "duration_ms": 1000,
        ])
        let samples = frames.flatMap(\.samples)
        #expect(samples.count == rate)
        let expectedRMS = amplitude / 2.0.squareRoot()
        let rms = Signal.rms(samples)
        #expect(abs(rms - expectedRMS) / expectedRMS <= 0.005, "rms \(rms) vs \(expectedRMS)")
        #expect(Double(Signal.peak(samples)) <= amplitude + 1e-6)
        // One second of audio: `frequency` upward crossings, within 1 %.
        let crossings = Double(Self.upwardCrossings(samples))
        #expect(abs(crossings - frequency) <= frequency * 0.01, "\(crossings) crossings for \(frequency) Hz")
    }

    @Test(arguments: [(rate: 48_000, durationMs: 1000, channels: 1), (rate: 44_100, durationMs: 250, channels: 2), (rate: 8_000, durationMs: 130, channels: 3)])
    func durationIsExact(rate: Int, durationMs: Int, channels: Int) async throws {
        let frames = try await Self.generate([
            "sample_rate": .number(Double(rate)), "duration_ms": .number(Double(durationMs)),
            "channels": .number(Double(channels)), "frame_ms": 20, "frequency": 100,
        ])
        let expected = rate * durationMs / 1000
        #expect(frames.reduce(0) { $0 + $1.frameCount } == expected)
        #expect(frames.allSatisfy { $0.sampleRate == rate && $0.channels == channels })
        #expect(frames.allSatisfy { $0.samples.count == $0.frameCount * channels })
        // Every frame but the last is 20 ms long.
        for frame in frames.dropLast() { #expect(frame.frameCount == rate / 50) }
        // Channels carry the same tone.
        if channels > 1, let first = frames.first {
            for index in 0..<first.frameCount {
                #expect(Set((0..<channels).map { first.samples[index * channels + $0] }).count == 1)
            }
        }
        // Timestamps are contiguous and sequence numbers count up.
        var framesBefore: UInt64 = 0
        for (index, frame) in frames.enumerated() {
            #expect(frame.metadata?.sequence == UInt64(index))
            #expect(frame.metadata?.timestampUs == framesBefore * 1_000_000 / UInt64(rate))
            framesBefore += UInt64(frame.frameCount)
        }
    }

    @Test func noiseIsDeterministicPerSeedWithUniformRMS() async throws {
        func params(seed: Int) -> JSONValue {
            ["waveform": "noise", "amplitude": 0.6, "duration_ms": 500, "sample_rate": 48_000, "seed": .number(Double(seed))]
        }
        let withSeed7 = params(seed: 7)
        let withSeed8 = params(seed: 8)

        let first = try await Self.generate(withSeed7).flatMap(\.samples)
        let again = try await Self.generate(withSeed7).flatMap(\.samples)
        let other = try await Self.generate(withSeed8).flatMap(\.samples)
        #expect(first.count == 24_000)
        #expect(first == again)
        #expect(first != other)
        #expect(zip(first, other).filter { $0 == $1 }.count < 100)
        // Uniform in [-a, a): RMS a/√3, mean 0, never beyond the amplitude.
        let expectedRMS = 0.6 / 3.0.squareRoot()
        for samples in [first, other] {
            let rms = Signal.rms(samples)
            #expect(abs(rms - expectedRMS) / expectedRMS < 0.02, "rms \(rms) vs \(expectedRMS)")
            let mean = samples.reduce(0.0) { $0 + Double($1) } / Double(samples.count)
            #expect(abs(mean) < 0.01)
            #expect(Signal.peak(samples) <= 0.6)
            #expect(Signal.peak(samples) > 0.59)
        }
    }

    @Test func silenceIsAllZeros() async throws {
        let frames = try await Self.generate(["waveform": "silence", "duration_ms": 300, "sample_rate": 16_000, "channels": 2, "amplitude": 1.0])
        let samples = frames.flatMap(\.samples)
        #expect(samples.count == 16_000 * 300 / 1000 * 2)
        #expect(samples.allSatisfy { $0 == 0 })
    }

    @Test func frequencyAboveNyquistIsRefusedByTheFactory() throws {
        let error = #expect(throws: (any Error).self) {
            try makeNode(ToneNode.definition, ["frequency": 30_000, "sample_rate": 48_000])
        }
        let message = "\(error.map { "\($0)" } ?? "")"
        #expect(message.contains("Nyquist"), "\(message)")
        #expect(message.contains("30000"), "\(message)")
        #expect(message.contains("24000"), "\(message)")
        // Exactly at Nyquist is still allowed, and noise does not care about frequency.
        #expect(throws: Never.self) { try makeNode(ToneNode.definition, ["frequency": 24_000, "sample_rate": 48_000]) }
        #expect(throws: Never.self) { try makeNode(ToneNode.definition, ["waveform": "noise", "frequency": 30_000, "sample_rate": 48_000]) }
        // Through the registry the refusal reaches the user as the factory's message.
        let registry = BuiltinNodes.makeRegistry()
        do {
            _ = try registry.makeNode(kind: "audio::tone", nodeID: "tone", params: ["frequency": 9000, "sample_rate": 16_000])
            Issue.record("registry made a tone above Nyquist")
        } catch {
            #expect(error.factoryMessage?.contains("Nyquist") == true, "\(error)")
        }
    }
}
