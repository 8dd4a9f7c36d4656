import Foundation
import StreamKitCore
import StreamKitEngine
import Testing
@testable import StreamKitNodes

/// Ogg Opus against the reference tools: files made by opusenc and ffmpeg decode to what
/// ffmpeg decodes, and what we write passes opusinfo and ffprobe with the right duration.
@Suite("Ogg Opus against ffmpeg and opus-tools", .timeLimit(.minutes(3)))
struct OggOpusTests {
    enum Maker: String, Sendable { case opusenc, ffmpeg }

    /// Encodes a 2-second two-tone signal at `rate` Hz with `maker`; returns the .opus path.
    private static func makeOpusFile(rate: Int, channels: Int, maker: Maker, scratch: Scratch) throws -> String {
        let output = scratch.path("in-\(rate)-\(channels).opus")
        switch maker {
        case .opusenc:
            let wav = scratch.path("src.wav")
            try FFmpeg.makeSignal(wav, rate: rate, channels: channels, seconds: 2, codecArguments: ["-c:a", "pcm_s16le"])
            try ExternalTool.check("opusenc", ["--quiet", "--bitrate", "48", wav, output])
        case .ffmpeg:
            try FFmpeg.makeSignal(output, rate: rate, channels: channels, seconds: 2, codecArguments: ["-c:a", "libopus", "-b:a", "48k", "-f", "ogg"])
        }
        return output
    }

    @Test(arguments: [
        (48_000, 2, Maker.opusenc), (48_000, 1, Maker.ffmpeg), (24_000, 2, Maker.ffmpeg),
        (16_000, 1, Maker.opusenc), (12_000, 2, Maker.opusenc), (8_000, 1, Maker.ffmpeg),
    ])
    func filesFromOtherToolsDecodeLikeFfmpeg(rate: Int, channels: Int, maker: Maker) async throws {
        try await withScratch { scratch in
            let path = try Self.makeOpusFile(rate: rate, channels: channels, maker: maker, scratch: scratch)
            let reference = try FFmpeg.decode(path, scratch: scratch, decoder: "libopus")
            let input = try scratch.read(URL(fileURLWithPath: path).lastPathComponent)
            let output = try await CodecPipelines.run(CodecPipelines.oggOpusToWAV, input: input, pattern: [1000, 17, 4096])
            let ours = try CodecPipelines.wavSamples(output.bytes)
            #expect(ours.rate == 48_000)
            #expect(reference.rate == 48_000)
            #expect(ours.channels == channels)
            #expect(reference.channels == channels)
            // Pre-skip and end trimming applied the same way: exactly the same length.
            #expect(ours.samples.count == reference.samples.count, "ours \(ours.samples.count / channels) frames, ffmpeg \(reference.samples.count / channels)")
            let aligned = AudioCompare.bestSNR(reference.samples, ours.samples, channels: channels, maxLag: 480)
            #expect(aligned.lag == 0, "ours is offset by \(aligned.lag) frames")
            #expect(aligned.snr > 40, "SNR against ffmpeg's decode: \(aligned.snr) dB")
        }
    }

    @Test(arguments: [1, 2])
    func ourOggOpusPassesOpusinfoAndFfprobeWithTheRightDuration(channels: Int) async throws {
        try await withScratch { scratch in
            let source = scratch.path("src.wav")
            // 2.5 s is not a whole number of 20 ms frames plus pre-skip: the end must be trimmed.
            try FFmpeg.makeSignal(source, rate: 48_000, channels: channels, seconds: 2.5031, codecArguments: ["-c:a", "pcm_s16le"])
            let sourceAudio = try FFmpeg.decode(source, scratch: scratch)
            let output = try await CodecPipelines.run(CodecPipelines.wavToOggOpus(), input: try scratch.read("src.wav"), pattern: [4096, 333])
            #expect(output.contentType == "audio/ogg")
            let path = try scratch.write("ours.opus", output.bytes)

            let info = try ExternalTool.check("opusinfo", [path])
            let infoText = info.stdout + info.stderr
            #expect(!infoText.contains("WARNING") && !infoText.contains("ERROR"), "\(infoText)")
            #expect(infoText.contains("Channels: \(channels)"), "\(infoText)")

            let probe = try FFmpeg.probe(path)
            #expect(probe.codec == "opus")
            #expect(probe.formatName == "ogg")
            #expect(probe.channels == channels)
            let duration = try #require(probe.duration)
            #expect(abs(duration - 2.5031) < 0.02, "ffprobe duration \(duration)")

            let decoded = try FFmpeg.decode(path, scratch: scratch, decoder: "libopus")
            #expect(decoded.channels == channels)
            // Exactly the input's length: pre-skip and end trimming written correctly.
            #expect(decoded.samples.count == sourceAudio.samples.count, "decoded \(decoded.samples.count / channels) frames of \(sourceAudio.samples.count / channels)")
            let aligned = AudioCompare.bestSNR(sourceAudio.samples, decoded.samples, channels: channels, maxLag: 480)
            #expect(aligned.lag == 0, "offset by \(aligned.lag) frames")
            #expect(aligned.snr > 12, "SNR of the 64 kb/s encode: \(aligned.snr) dB")
        }
    }

    @Test func theVolumeBoostSampleDoublesTheLevel() async throws {
        try await withScratch { scratch in
            let path = try Self.makeOpusFile(rate: 48_000, channels: 2, maker: .opusenc, scratch: scratch)
            let input = try scratch.read(URL(fileURLWithPath: path).lastPathComponent)
            let output = try await CodecPipelines.run(try CodecPipelines.samplePipeline("oneshot/double_volume.yml"), input: input)
            #expect(output.contentType == "audio/ogg")
            let outPath = try scratch.write("loud.opus", output.bytes)
            let info = try ExternalTool.check("opusinfo", [outPath])
            #expect(!(info.stdout + info.stderr).contains("WARNING"), "\(info.stdout)")
            let before = try FFmpeg.decode(path, scratch: scratch)
            let after = try FFmpeg.decode(outPath, scratch: scratch)
            #expect(after.channels == 2)
            #expect(after.samples.count == before.samples.count)
            let ratio = Signal.rms(after.samples) / Signal.rms(before.samples)
            #expect(abs(ratio - 2) < 0.1, "RMS ratio \(ratio)")
        }
    }

    @Test func encoderThenDecoderKeepsLengthTimestampsAndLevel() async throws {
        let rate = 48_000
        let frames = 48_000 + 437
        // A chirp, so that a wrong offset cannot hide behind a period.
        let samples = (0..<frames).flatMap { index -> [Float] in
            let t = Double(index) / Double(rate)
            let value = Float(0.5 * sin(2 * Double.pi * (200 + 300 * t) * t))
            return [value, -value]
        }
        let input = audioPackets(samples, rate: rate, channels: 2, framesPerPacket: 700, startUs: 1_000_000)
        let encoded = await NodeHarness.run(try makeNode(OpusEncoderNode.definition, ["bitrate": 96_000]), feeding: input)
        try encoded.result.get()
        let head = try #require(encoded.outputs.first?.binaryData)
        guard case .success(let parsed) = OpusHead.parse(head) else { Issue.record("first packet is not an OpusHead"); return }
        #expect(parsed.channels == 2)
        #expect(parsed.preSkip == 312)
        let audioPackets = encoded.outputs.dropFirst()
        // Timestamps continue from the input's first one, 20 ms apart (after the encoder delay).
        let stamps = audioPackets.compactMap(\.metadata?.timestampUs)
        #expect(stamps.count == audioPackets.count)
        #expect(stamps.dropFirst(2).first == 1_000_000 + 40_000 - 6_500)
        let decoded = await NodeHarness.run(try makeNode(OpusDecoderNode.definition), feeding: encoded.outputs)
        try decoded.result.get()
        let out = allSamples(decoded.outputs)
        #expect(decoded.outputs.compactMap(\.audioFrame).allSatisfy { $0.sampleRate == 48_000 && $0.channels == 2 })
        #expect(out.count == samples.count)
        let aligned = AudioCompare.bestSNR(samples, out, channels: 2, maxLag: 480)
        #expect(aligned.lag == 0)
        #expect(aligned.snr > 15, "\(aligned.snr) dB")
    }
}

@Suite("Generated sample audio", .timeLimit(.minutes(2)))
struct GeneratedSampleAudioTests {
    @Test func theMusicSampleIsTenSecondsOfValidOggOpus() async throws {
        try await withScratch { scratch in
            let output = try await CodecPipelines.run(try CodecPipelines.samplePipeline("oneshot/music_to_ogg.yml"))
            let path = try scratch.write("music.ogg", output.bytes)
            let info = try ExternalTool.check("opusinfo", [path])
            #expect(!(info.stdout + info.stderr).contains("WARNING"), "\(info.stdout)")
            let probe = try FFmpeg.probe(path)
            #expect(probe.codec == "opus" && probe.channels == 2)
            #expect(abs((probe.duration ?? 0) - 10) < 0.02, "\(String(describing: probe.duration))")
            let decoded = try FFmpeg.decode(path, scratch: scratch, decoder: "libopus")
            #expect(decoded.samples.count == 2 * 480_000)
            #expect(Signal.rms(decoded.samples) > 0.1)
        }
    }
}

@Suite("Opus encoder and decoder parameters", .timeLimit(.minutes(3)))
struct OpusParameterTests {
    @Test(arguments: [
        (10.0, 48_000, 2, "audio"), (60.0, 48_000, 1, "voip"), (20.0, 16_000, 1, "voip"),
        (40.0, 24_000, 2, "lowdelay"), (2.5, 48_000, 1, "lowdelay"), (20.0, 8_000, 2, "audio"),
    ])
    func encoderParametersReachTheFile(frameMs: Double, rate: Int, channels: Int, application: String) async throws {
        try await withScratch { scratch in
            try FFmpeg.makeSignal(scratch.path("src.wav"), rate: rate, channels: channels, seconds: 1.2345, codecArguments: ["-c:a", "pcm_s16le"])
            let source = try FFmpeg.decode(scratch.path("src.wav"), scratch: scratch)
            let yaml = """
                mode: oneshot
                steps:
                  - kind: streamkit::http_input
                  - kind: containers::wav::demuxer
                  - kind: audio::opus::encoder
                    params: {frame_duration_ms: \(frameMs), application: \(application), complexity: 5, bitrate: 48000}
                  - kind: containers::ogg::muxer
                    params: {page_duration_ms: 0}
                  - kind: streamkit::http_output
                """
            let output = try await CodecPipelines.run(yaml, input: try scratch.read("src.wav"))
            let path = try scratch.write("out.opus", output.bytes)
            let info = try ExternalTool.check("opusinfo", [path])
            let text = info.stdout + info.stderr
            #expect(!text.contains("WARNING") && !text.contains("serial number 0"), "\(text)")
            #expect(text.contains("Original sample rate: \(rate) Hz"), "\(text)")
            // Every packet lasts the requested frame duration.
            let packets = try ExternalTool.check("ffprobe", ["-v", "error", "-select_streams", "a:0", "-show_entries", "packet=duration_time", "-of", "csv=p=0", path])
            let durations = packets.stdout.split(separator: "\n").compactMap { Double($0) }
            #expect(durations.count > 3)
            #expect(durations.dropLast().allSatisfy { abs($0 - frameMs / 1000) < 0.0001 }, "\(Set(durations))")
            // Decoded at 48 kHz, exactly the input's duration.
            let decoded = try FFmpeg.decode(path, scratch: scratch, decoder: "libopus")
            #expect(decoded.channels == channels)
            #expect(decoded.samples.count / channels == source.samples.count / channels * (48_000 / rate))
        }
    }

    @Test func theDecoderCanDownmixAndChainedStreamsFollowEachOther() async throws {
        try await withScratch { scratch in
            try FFmpeg.makeSignal(scratch.path("a.wav"), rate: 48_000, channels: 2, seconds: 0.7, codecArguments: ["-c:a", "pcm_s16le"])
            try FFmpeg.makeSignal(scratch.path("b.wav"), rate: 48_000, channels: 1, seconds: 0.45, codecArguments: ["-c:a", "pcm_s16le"])
            try ExternalTool.check("opusenc", ["--quiet", "--serial", "1", scratch.path("a.wav"), scratch.path("a.opus")])
            try ExternalTool.check("opusenc", ["--quiet", "--serial", "2", scratch.path("b.wav"), scratch.path("b.opus")])
            // Two logical streams one after the other (a chained Ogg file, RFC 7845 §3).
            let chained = try scratch.read("a.opus") + scratch.read("b.opus")
            let yaml = CodecPipelines.oggOpusToWAV.replacingOccurrences(of: "audio::opus::decoder", with: "audio::opus::decoder\n    params: {channels: 1}")
            let output = try await CodecPipelines.run(yaml, input: chained, pattern: [999])
            let ours = try CodecPipelines.wavSamples(output.bytes)
            #expect(ours.channels == 1)
            #expect(ours.samples.count == 33_600 + 21_600)
            // Both streams trimmed exactly: the second starts where the first ended.
            let b = try FFmpeg.decode(scratch.path("b.opus"), scratch: scratch, decoder: "libopus")
            let aligned = AudioCompare.bestSNR(b.samples, Array(ours.samples[33_600...]), channels: 1, maxLag: 240)
            #expect(aligned.lag == 0)
            #expect(aligned.snr > 40, "\(aligned.snr) dB")
        }
    }
}

@Suite("Opus remuxing without re-encoding", .timeLimit(.minutes(2)))
struct OpusRemuxTests {
    /// Demuxing and muxing again keeps every packet, and the granule positions, pre-skip and end
    /// trimming we compute give exactly the samples of the original file.
    @Test(arguments: ["containers::ogg::muxer", "containers::webm::muxer"])
    func anOpusencFileRemuxesToTheSameSamples(muxer: String) async throws {
        try await withScratch { scratch in
            try FFmpeg.makeSignal(scratch.path("src.wav"), rate: 44_100, channels: 2, seconds: 1.987, codecArguments: ["-c:a", "pcm_s16le"])
            try ExternalTool.check("opusenc", ["--quiet", "--bitrate", "40", scratch.path("src.wav"), scratch.path("in.opus")])
            let yaml = """
                mode: oneshot
                steps:
                  - kind: streamkit::http_input
                  - kind: containers::ogg::demuxer
                  - kind: \(muxer)
                  - kind: streamkit::http_output
                """
            let output = try await CodecPipelines.run(yaml, input: try scratch.read("in.opus"), pattern: [333])
            let path = try scratch.write(muxer.contains("ogg") ? "out.opus" : "out.webm", output.bytes)
            if muxer.contains("ogg") {
                let info = try ExternalTool.check("opusinfo", [path])
                #expect(!(info.stdout + info.stderr).contains("WARNING"), "\(info.stdout)")
                #expect((info.stdout + info.stderr).contains("Original sample rate: 44100 Hz"))
            }
            let original = try FFmpeg.decode(scratch.path("in.opus"), scratch: scratch, decoder: "libopus")
            let remuxed = try FFmpeg.decode(path, scratch: scratch, decoder: "libopus")
            #expect(remuxed.channels == 2)
            #expect(remuxed.samples.count == original.samples.count)
            #expect(remuxed.samples == original.samples, "SNR \(AudioCompare.snr(original.samples, remuxed.samples)) dB")
        }
    }
}
