import Foundation
import StreamKitCore
import StreamKitEngine
import Testing
@testable import StreamKitNodes

/// WebM output accepted by ffprobe/ffmpeg with the right length, and the mixing sample.
@Suite("WebM muxer against ffmpeg", .timeLimit(.minutes(3)))
struct WebMTests {
    private static func wavToWebM(mode: String) -> String {
        """
        mode: oneshot
        steps:
          - kind: streamkit::http_input
          - kind: containers::wav::demuxer
          - kind: audio::opus::encoder
          - kind: containers::webm::muxer
            params: {streaming_mode: \(mode)}
          - kind: streamkit::http_output
        """
    }

    @Test(arguments: [("live", 2), ("file", 1), ("live", 1), ("file", 2)])
    func ourWebMPassesFfprobeAndKeepsTheLength(mode: String, channels: Int) async throws {
        try await withScratch { scratch in
            try FFmpeg.makeSignal(scratch.path("src.wav"), rate: 48_000, channels: channels, seconds: 2.5031, codecArguments: ["-c:a", "pcm_s16le"])
            let source = try FFmpeg.decode(scratch.path("src.wav"), scratch: scratch)
            let output = try await CodecPipelines.run(Self.wavToWebM(mode: mode), input: try scratch.read("src.wav"), pattern: [4096, 77])
            #expect(output.contentType == "audio/webm")
            if mode == "live" {
                // Streamed: the header and first block, then a packet per block.
                #expect((output.summary.stats["step_3"]?.sent ?? 0) > 100)
            }
            let path = try scratch.write("ours.webm", output.bytes)
            let probe = try FFmpeg.probe(path)
            #expect(probe.formatName.contains("webm"))
            #expect(probe.codec == "opus")
            #expect(probe.channels == channels)
            if mode == "file" {
                let duration = try #require(probe.duration)
                #expect(abs(duration - 2.5031) < 0.021, "ffprobe duration \(duration)")
            }
            let decoded = try FFmpeg.decode(path, scratch: scratch, decoder: "libopus")
            // CodecDelay and DiscardPadding: exactly the input's length.
            let frames = decoded.samples.count / channels
            #expect(frames == source.samples.count / channels, "decoded \(frames) frames of \(source.samples.count / channels)")
            let aligned = AudioCompare.bestSNR(source.samples, decoded.samples, channels: channels, maxLag: 480)
            #expect(aligned.lag == 0, "offset by \(aligned.lag) frames")
            #expect(aligned.snr > 12, "\(aligned.snr) dB")
        }
    }

    @Test func theMixingSampleMixesAnUploadWithAMusicFileIntoWebM() async throws {
        try await withScratch { scratch in
            // The upload: 1 s of stereo chirps made by opusenc. The music: 0.6 s of a mono tone
            // encoded by our own pipeline.
            try FFmpeg.makeSignal(scratch.path("voice.wav"), rate: 48_000, channels: 2, seconds: 1, codecArguments: ["-c:a", "pcm_s16le"])
            try ExternalTool.check("opusenc", ["--quiet", scratch.path("voice.wav"), scratch.path("voice.opus")])
            let music = try await CodecPipelines.run("""
                mode: oneshot
                steps:
                  - {kind: audio::tone, params: {frequency: 330, duration_ms: 600, channels: 1}}
                  - kind: audio::opus::encoder
                  - kind: containers::ogg::muxer
                  - kind: streamkit::http_output
                """)
            let musicPath = try scratch.write("music.ogg", music.bytes)
            let yaml = try CodecPipelines.samplePipeline("oneshot/mixing.yml")
                .replacingOccurrences(of: "samples/audio/generated/music.ogg", with: musicPath)
            let output = try await CodecPipelines.run(yaml, input: try scratch.read("voice.opus"), deadline: 120)
            #expect(output.contentType == "audio/webm")
            let path = try scratch.write("mixed.webm", output.bytes)
            let probe = try FFmpeg.probe(path)
            #expect(probe.formatName.contains("webm") && probe.codec == "opus" && probe.channels == 2)
            let mixed = try FFmpeg.decode(path, scratch: scratch, decoder: "libopus")
            let voice = try FFmpeg.decode(scratch.path("voice.opus"), scratch: scratch, decoder: "libopus")
            // As long as the longer input, to within a frame.
            #expect(abs(mixed.samples.count - voice.samples.count) <= 2 * 960, "\(mixed.samples.count) vs \(voice.samples.count)")
            // The music is in the first 0.6 s and not after: more energy there than in the voice alone.
            let head = 2 * 4_800..<2 * 24_000
            let tail = 2 * 33_600..<2 * 43_200
            let mixedHead = Signal.rms(Array(mixed.samples[head]))
            let voiceHead = Signal.rms(Array(voice.samples[head]))
            #expect(mixedHead > voiceHead * 1.02, "mixed \(mixedHead), voice \(voiceHead)")
            let tailSNR = AudioCompare.snr(Array(voice.samples[tail]), Array(mixed.samples[tail]))
            #expect(tailSNR > 10, "after the music ends the mix is the voice: \(tailSNR) dB")
        }
    }
}

@Suite("EBML writer")
struct EBMLWriterTests {
    @Test func integersUseTheFewestBytesAndKeepTheirSign() {
        #expect(EBML.uint(0xE7, 0) == [0xE7, 0x81, 0x00])
        #expect(EBML.uint(0xE7, 0x1234) == [0xE7, 0x82, 0x12, 0x34])
        // A signed value whose top bit is set needs a leading zero byte to stay positive.
        #expect(EBML.int(0x75A2, 10_395_833) == [0x75, 0xA2, 0x84, 0x00, 0x9E, 0xA0, 0xB9])
        #expect(EBML.int(0x75A2, 127) == [0x75, 0xA2, 0x81, 0x7F])
        #expect(EBML.int(0x75A2, -1) == [0x75, 0xA2, 0x81, 0xFF])
        #expect(EBML.int(0x75A2, -129) == [0x75, 0xA2, 0x82, 0xFF, 0x7F])
    }

    @Test func sizesAreVariableLengthIntegers() {
        #expect(EBML.size(0) == [0x80])
        #expect(EBML.size(126) == [0xFE])
        // 127 is all ones in one byte (reserved for "unknown"), so it takes two.
        #expect(EBML.size(127) == [0x40, 0x7F])
        #expect(EBML.size(16_382) == [0x7F, 0xFE])
        #expect(EBML.size(16_383) == [0x20, 0x3F, 0xFF])
    }
}
