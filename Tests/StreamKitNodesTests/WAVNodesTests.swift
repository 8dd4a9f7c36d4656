import Foundation
import StreamKitCore
import StreamKitEngine
import Testing
@testable import StreamKitNodes

@Suite("containers::wav demuxer and muxer", .timeLimit(.minutes(1)))
struct WAVNodesTests {
    private static func roundTripPipeline(sampleFormat: String) -> String {
        """
        name: wav round trip
        nodes:
          in:
            kind: streamkit::http_input
          demux:
            kind: containers::wav::demuxer
            params:
              frame_size: 1000
            needs: in
          mux:
            kind: containers::wav::muxer
            params:
              sample_format: \(sampleFormat)
            needs: demux
          out:
            kind: streamkit::http_output
            needs: mux
        """
    }

    private static let demuxOnlyPipeline = """
        nodes:
          in:
            kind: streamkit::http_input
          demux:
            kind: containers::wav::demuxer
            needs: in
          sink:
            kind: core::sink
            needs: demux
        """

    /// Odd, coprime piece sizes so headers, frames and samples straddle packets.
    private static let oddPattern = [1, 7, 3, 1021, 13, 5, 333]

    /// Random s16 samples covering the full range, including both extremes.
    private static func s16Samples(count: Int, seed: UInt64) -> [Int16] {
        var generator = SeededGenerator(seed: seed)
        var samples = (0..<count).map { _ in Int16.random(in: .min ... .max, using: &generator) }
        samples[0] = .min
        samples[1] = .max
        samples[2] = 0
        samples[3] = -1
        return samples
    }

    /// Random f32 samples, including values beyond ±1 (headroom), tiny values and signed zeros.
    private static func f32Samples(count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        var samples = (0..<count).map { _ in Float.random(in: -1...1, using: &generator) }
        let specials: [Float] = [1.5, -2.25, 0, -0.0, 1e-30, -Float.leastNonzeroMagnitude, 1, -1]
        for (index, value) in specials.enumerated() { samples[index * 3] = value }
        return samples
    }

    private func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
        zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
    }

    @Test(arguments: [(rate: 44_100, channels: 2, frames: 11_025), (rate: 8_000, channels: 1, frames: 4_001)])
    func s16RoundTripIsBitExact(rate: Int, channels: Int, frames: Int) async throws {
        let payload = TestWAV.s16Payload(Self.s16Samples(count: frames * channels, seed: UInt64(rate + channels)))
        let file = TestWAV.file(.init(channels: UInt16(channels), sampleRate: UInt32(rate), bitsPerSample: 16), payload: payload)
        let output = try await PipelineRun.run(Self.roundTripPipeline(sampleFormat: "s16"), input: file, pattern: Self.oddPattern)
        let parsed = try #require(TestWAV.parse(output.bytes), "output is not a WAV file")
        #expect(parsed.formatTag == 1)
        #expect(parsed.sampleRate == rate)
        #expect(parsed.channels == channels)
        #expect(parsed.bitsPerSample == 16)
        #expect(parsed.data.count == payload.count)
        #expect(parsed.data == payload, "first difference at byte \(firstDifference(parsed.data, payload))")
    }

    @Test(arguments: [(rate: 44_100, channels: 2, frames: 11_025), (rate: 8_000, channels: 1, frames: 4_001)])
    func f32RoundTripIsBitExact(rate: Int, channels: Int, frames: Int) async throws {
        let payload = TestWAV.f32Payload(Self.f32Samples(count: frames * channels, seed: UInt64(rate * 3 + channels)))
        let file = TestWAV.file(.init(formatTag: 3, channels: UInt16(channels), sampleRate: UInt32(rate), bitsPerSample: 32), payload: payload)
        let output = try await PipelineRun.run(Self.roundTripPipeline(sampleFormat: "f32"), input: file, pattern: Self.oddPattern)
        let parsed = try #require(TestWAV.parse(output.bytes), "output is not a WAV file")
        #expect(parsed.formatTag == 3)
        #expect(parsed.sampleRate == rate)
        #expect(parsed.channels == channels)
        #expect(parsed.bitsPerSample == 32)
        #expect(parsed.data.count == payload.count)
        #expect(parsed.data == payload, "first difference at byte \(firstDifference(parsed.data, payload))")
    }

    @Test(arguments: [(rate: 44_100, channels: 2), (rate: 8_000, channels: 1), (rate: 22_050, channels: 6)])
    func demuxerDeclaresTheFilesRateAndChannels(rate: Int, channels: Int) async throws {
        let frames = 2_500
        let samples = Self.s16Samples(count: frames * channels, seed: 7)
        let file = TestWAV.file(.init(channels: UInt16(channels), sampleRate: UInt32(rate), bitsPerSample: 16), payload: TestWAV.s16Payload(samples))
        let packets = TestBytes.split(file, pattern: Self.oddPattern).map { Packet.binary(BinaryPacket(data: $0)) }
        let run = await NodeHarness.run(try makeNode(WAVDemuxerNode.definition, ["frame_size": 1000]), feeding: packets)
        try run.result.get()
        let audio = run.outputs.compactMap(\.audioFrame)
        #expect(audio.count == run.outputs.count)
        #expect(!audio.isEmpty)
        #expect(audio.allSatisfy { $0.sampleRate == rate && $0.channels == channels })
        #expect(audio.allSatisfy { $0.frameCount <= 1000 })
        #expect(audio.reduce(0) { $0 + $1.frameCount } == frames)
        // The decoded values are the file's samples / 32768.
        let decoded = audio.flatMap(\.samples)
        #expect(decoded == samples.map { Float($0) / 32768 })
        // Timestamps follow the file's own rate.
        var framesBefore: UInt64 = 0
        for frame in audio {
            #expect(frame.metadata?.timestampUs == framesBefore * 1_000_000 / UInt64(rate))
            framesBefore += UInt64(frame.frameCount)
        }
    }

    // MARK: Broken input

    /// Runs `bytes` through the full round-trip pipeline and through demuxer → sink, and returns
    /// the failure (which must be the demuxer's, with the same reason both times).
    private static func demuxerFailure(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let viaSink = await PipelineRun.failure(demuxOnlyPipeline, input: bytes, pattern: oddPattern)
        let error = await PipelineRun.failure(roundTripPipeline(sampleFormat: "s16"), input: bytes, pattern: oddPattern)
        #expect("\(String(describing: viaSink))" == "\(String(describing: error))", sourceLocation: sourceLocation)
        let failure = try #require(error as? OneshotError, "expected OneshotError, got \(String(describing: error))", sourceLocation: sourceLocation)
        guard case .nodeFailed(let node, let kind, let reason) = failure else {
            Issue.record("expected nodeFailed, got \(failure)", sourceLocation: sourceLocation)
            return ""
        }
        #expect(node == "demux", sourceLocation: sourceLocation)
        #expect(kind == "containers::wav::demuxer", sourceLocation: sourceLocation)
        #expect(failure.description.contains("containers::wav::demuxer"), sourceLocation: sourceLocation)
        return reason
    }

    @Test func zeroChannelsFailsWithAClearMessage() async throws {
        let file = TestWAV.file(.init(channels: 0, sampleRate: 48_000, bitsPerSample: 16, blockAlign: 2), payload: [0, 0, 0, 0])
        let reason = try await Self.demuxerFailure(file)
        #expect(reason.contains("0 channels"), "\(reason)")
    }

    @Test func dataSizeLargerThanTheDataFailsWithAClearMessage() async throws {
        let payload = TestWAV.s16Payload(Self.s16Samples(count: 1000, seed: 3))
        let file = TestWAV.file(.init(channels: 1, sampleRate: 16_000, bitsPerSample: 16, declaredDataSize: 100_000), payload: payload)
        let reason = try await Self.demuxerFailure(file)
        #expect(reason.contains("100000"), "\(reason)")
        #expect(reason.contains("\(payload.count)"), "\(reason)")
        #expect(reason.lowercased().contains("ended"), "\(reason)")
    }

    @Test func garbageBytesFailWithAClearMessage() async throws {
        var generator = SeededGenerator(seed: 99)
        let garbage = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let reason = try await Self.demuxerFailure(garbage)
        #expect(reason.contains("not a WAV"), "\(reason)")
        #expect(reason.contains("RIFF"), "\(reason)")
    }

    @Test func textPretendingToBeWAVFailsNamingWhatItFound() async throws {
        let reason = try await Self.demuxerFailure(Array("OggS and then some more bytes that are not a WAV".utf8))
        #expect(reason.contains("'OggS'"), "\(reason)")
    }

    @Test func zeroLengthInputFailsWithAClearMessage() async throws {
        let reason = try await Self.demuxerFailure([])
        #expect(reason.lowercased().contains("empty"), "\(reason)")
    }

    @Test func headerCutShortFailsWithAClearMessage() async throws {
        let file = TestWAV.file(.init(channels: 2, sampleRate: 44_100, bitsPerSample: 16), payload: [])
        let reason = try await Self.demuxerFailure(Array(file.prefix(30)))
        #expect(reason.contains("before the data chunk"), "\(reason)")
    }

    // MARK: Muxer

    @Test func muxerRefusesAMidStreamFormatChange() async throws {
        let first = Packet.audio(AudioFrame(sampleRate: 48_000, channels: 2, samples: [Float](repeating: 0.25, count: 960)))
        let second = Packet.audio(AudioFrame(sampleRate: 44_100, channels: 2, samples: [Float](repeating: 0.25, count: 882)))
        let run = await NodeHarness.run(try makeNode(WAVMuxerNode.definition), feeding: [first, second])
        let message = try #require(run.result.errorDescription, "the muxer accepted a format change")
        #expect(message.contains("48000"), "\(message)")
        #expect(message.contains("44100"), "\(message)")
        #expect(message.contains("changed mid-stream"), "\(message)")
        // The first frame was written (header + 480 s16 stereo frames) before the refusal.
        let bytes = run.outputs.compactMap(\.binaryData).flatMap { $0 }
        #expect(bytes.count == 44 + 960 * 2)
        #expect(TestWAV.parse(bytes)?.sampleRate == 48_000)
    }

    @Test func muxerRefusesAChannelCountChange() async throws {
        let first = Packet.audio(AudioFrame(sampleRate: 16_000, channels: 1, samples: [0.1, 0.2]))
        let second = Packet.audio(AudioFrame(sampleRate: 16_000, channels: 2, samples: [0.1, 0.2]))
        let run = await NodeHarness.run(try makeNode(WAVMuxerNode.definition, ["sample_format": "f32"]), feeding: [first, second])
        let message = try #require(run.result.errorDescription)
        #expect(message.contains("1 ch") && message.contains("2 ch"), "\(message)")
    }
}
