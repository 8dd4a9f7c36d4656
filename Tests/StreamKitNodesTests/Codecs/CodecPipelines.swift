import Foundation
import Testing
@testable import StreamKitNodes

/// Pipelines and helpers shared by the codec tests.
enum CodecPipelines {
    /// Any supported input (by demuxer/decoder kinds) → f32 WAV.
    static func toWAV(_ chain: [String]) -> String {
        var yaml = "mode: oneshot\nsteps:\n  - kind: streamkit::http_input\n"
        for kind in chain { yaml += "  - kind: \(kind)\n" }
        yaml += "  - kind: containers::wav::muxer\n    params: {sample_format: f32}\n  - kind: streamkit::http_output\n"
        return yaml
    }

    /// `PipelineRun.run` with a generous deadline: codec tests run debug builds beside ffmpeg
    /// on a shared machine, and the deadline only guards against hangs.
    static func run(_ yaml: String, input: [UInt8]? = nil, pattern: [Int] = [4096], deadline: Double = 120) async throws -> PipelineRun.Output {
        try await PipelineRun.run(yaml, input: input, pattern: pattern, deadline: deadline)
    }

    static let oggOpusToWAV = toWAV(["containers::ogg::demuxer", "audio::opus::decoder"])

    static func wavToOggOpus(bitrate: Int = 64_000) -> String {
        """
        mode: oneshot
        steps:
          - kind: streamkit::http_input
          - kind: containers::wav::demuxer
          - kind: audio::opus::encoder
            params: {bitrate: \(bitrate)}
          - kind: containers::ogg::muxer
          - kind: streamkit::http_output
        """
    }

    /// The samples of a WAV our muxer wrote as f32.
    static func wavSamples(_ bytes: [UInt8]) throws -> (rate: Int, channels: Int, samples: [Float]) {
        let parsed = try #require(TestWAV.parse(bytes), "output is not a WAV file")
        #expect(parsed.formatTag == 3 && parsed.bitsPerSample == 32)
        let samples = parsed.data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        return (parsed.sampleRate, parsed.channels, samples)
    }

    /// The repository's root, found from this file's path.
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static func samplePipeline(_ name: String) throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent("samples/pipelines/\(name)"), encoding: .utf8)
    }
}
