import Foundation
import StreamKitCore
import StreamKitEngine
import Testing
@testable import StreamKitNodes

/// Every `samples/pipelines/oneshot/transcode_*` pipeline, run on a file made by ffmpeg:
/// the output is what ffprobe expects, as long as the input, at the same level.
@Suite("Transcode sample pipelines", .timeLimit(.minutes(3)))
struct TranscodeSampleTests {
    /// How ffmpeg makes each input format (rates chosen so that resampling is exercised).
    private static let inputs: [String: (codec: [String], channels: Int, rate: Int)] = [
        "ogg": (["-c:a", "libopus", "-b:a", "64k", "-f", "ogg"], 2, 48_000),
        "flac": (["-c:a", "flac"], 2, 44_100),
        "mp3": (["-c:a", "libmp3lame", "-b:a", "128k"], 2, 44_100),
        "wav": (["-c:a", "pcm_s16le"], 1, 22_050),
    ]

    private static let expected: [String: (format: String, codec: String, contentType: String)] = [
        "ogg": ("ogg", "opus", "audio/ogg"),
        "webm": ("webm", "opus", "audio/webm"),
        "wav": ("wav", "pcm_s16le", "audio/wav"),
    ]

    static let pairs: [(String, String)] = ["ogg", "flac", "mp3", "wav"].flatMap { input in
        ["ogg", "webm", "wav"].filter { $0 != input }.map { (input, $0) }
    }

    @Test(arguments: pairs)
    func transcodeSample(from input: String, to output: String) async throws {
        try await withScratch { scratch in
            let spec = try #require(Self.inputs[input])
            let want = try #require(Self.expected[output])
            let inPath = scratch.path("in.\(input)")
            try FFmpeg.makeSignal(inPath, rate: spec.rate, channels: spec.channels, seconds: 1.5, codecArguments: spec.codec)
            let source = try FFmpeg.decode(inPath, scratch: scratch)
            let yaml = try CodecPipelines.samplePipeline("oneshot/transcode_\(input)_to_\(output).yml")
            let result = try await CodecPipelines.run(yaml, input: try scratch.read("in.\(input)"), pattern: [8192, 100])
            #expect(result.contentType == want.contentType)
            let outPath = try scratch.write("out.\(output)", result.bytes)
            let probe = try FFmpeg.probe(outPath)
            #expect(probe.formatName.contains(want.format), "\(probe.formatName)")
            #expect(probe.codec == want.codec)
            let decoded = try FFmpeg.decode(outPath, scratch: scratch)
            #expect(decoded.channels == spec.channels)
            let sourceSeconds = Double(source.samples.count / spec.channels) / Double(spec.rate)
            let outSeconds = Double(decoded.samples.count / max(1, decoded.channels)) / Double(max(1, decoded.rate))
            #expect(abs(outSeconds - sourceSeconds) <= 0.021, "\(input)→\(output): \(outSeconds) s from \(sourceSeconds) s")
            let ratio = Signal.rms(decoded.samples) / Signal.rms(source.samples)
            #expect(abs(ratio - 1) < 0.15, "\(input)→\(output): RMS ratio \(ratio)")
        }
    }
}
