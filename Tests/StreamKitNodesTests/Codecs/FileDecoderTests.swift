import Foundation
import StreamKitCore
import StreamKitEngine
import Testing
@testable import StreamKitNodes

/// FLAC, MP3 and WAV files made by ffmpeg and the flac tool decode to the samples ffmpeg
/// decodes them to, at the file's own rate and channel count.
@Suite("FLAC, MP3 and WAV decoding against ffmpeg", .timeLimit(.minutes(3)))
struct FileDecoderTests {
    private static let flacToWAV = CodecPipelines.toWAV(["audio::flac::decoder"])
    private static let mp3ToWAV = CodecPipelines.toWAV(["audio::mp3::decoder"])
    private static let wavToWAV = CodecPipelines.toWAV(["containers::wav::demuxer"])

    private static func decodeWithUs(_ yaml: String, file: String, scratch: Scratch) async throws -> (rate: Int, channels: Int, samples: [Float]) {
        let input = try scratch.read(file)
        // Odd piece sizes, so headers and frames straddle packets.
        let output = try await CodecPipelines.run(yaml, input: input, pattern: [7, 4096, 333, 65_536, 1])
        return try CodecPipelines.wavSamples(output.bytes)
    }

    @Test(arguments: [(44_100, 2, 16), (48_000, 1, 24), (96_000, 2, 24), (8_000, 1, 16)])
    func ffmpegFLACDecodesBitExactly(rate: Int, channels: Int, bits: Int) async throws {
        try await withScratch { scratch in
            let sampleFormat = bits == 16 ? ["-sample_fmt", "s16"] : ["-sample_fmt", "s32", "-bits_per_raw_sample", "24"]
            try FFmpeg.makeSignal(scratch.path("in.flac"), rate: rate, channels: channels, seconds: 1.7, codecArguments: ["-c:a", "flac"] + sampleFormat)
            let reference = try FFmpeg.decode(scratch.path("in.flac"), scratch: scratch)
            let ours = try await Self.decodeWithUs(Self.flacToWAV, file: "in.flac", scratch: scratch)
            #expect(ours.rate == rate && reference.rate == rate)
            #expect(ours.channels == channels && reference.channels == channels)
            #expect(ours.samples.count == reference.samples.count)
            #expect(ours.samples == reference.samples, "SNR \(AudioCompare.snr(reference.samples, ours.samples)) dB")
        }
    }

    @Test func flacToolFilesWithTagsAndPaddingDecodeBitExactly() async throws {
        try await withScratch { scratch in
            try FFmpeg.makeSignal(scratch.path("src.wav"), rate: 44_100, channels: 2, seconds: 2, codecArguments: ["-c:a", "pcm_s16le"])
            // The flac tool writes a VORBIS_COMMENT and an 8 KiB PADDING block, which are skipped.
            try ExternalTool.check("flac", ["--silent", "--best", "-T", "TITLE=StreamKit test", "-o", scratch.path("in.flac"), scratch.path("src.wav")])
            let reference = try FFmpeg.decode(scratch.path("in.flac"), scratch: scratch)
            let ours = try await Self.decodeWithUs(Self.flacToWAV, file: "in.flac", scratch: scratch)
            #expect(ours.channels == 2 && ours.rate == 44_100)
            #expect(ours.samples == reference.samples)
        }
    }

    enum Bitrate: Sendable, CustomStringConvertible {
        case cbr(Int)
        case vbr(quality: Int)
        var arguments: [String] {
            switch self {
            case .cbr(let kbps): ["-b:a", "\(kbps)k"]
            case .vbr(let quality): ["-q:a", "\(quality)"]
            }
        }
        var description: String {
            switch self {
            case .cbr(let kbps): "CBR \(kbps)k"
            case .vbr(let quality): "VBR q\(quality)"
            }
        }
    }

    @Test(arguments: [(44_100, 2, Bitrate.cbr(128)), (48_000, 1, Bitrate.vbr(quality: 4)), (22_050, 2, Bitrate.cbr(64)), (16_000, 1, Bitrate.vbr(quality: 2))])
    func ffmpegMP3DecodesLikeFfmpeg(rate: Int, channels: Int, bitrate: Bitrate) async throws {
        try await withScratch { scratch in
            try FFmpeg.makeSignal(scratch.path("in.mp3"), rate: rate, channels: channels, seconds: 2.3, codecArguments: ["-c:a", "libmp3lame"] + bitrate.arguments)
            let reference = try FFmpeg.decode(scratch.path("in.mp3"), scratch: scratch)
            let ours = try await Self.decodeWithUs(Self.mp3ToWAV, file: "in.mp3", scratch: scratch)
            #expect(ours.rate == rate && reference.rate == rate)
            #expect(ours.channels == channels && reference.channels == channels)
            // Gapless: encoder delay and padding removed as ffmpeg removes them.
            #expect(ours.samples.count == reference.samples.count, "ours \(ours.samples.count / channels) frames, ffmpeg \(reference.samples.count / channels)")
            let aligned = AudioCompare.bestSNR(reference.samples, ours.samples, channels: channels, maxLag: 1200)
            #expect(aligned.lag == 0, "offset by \(aligned.lag) frames")
            #expect(aligned.snr > 40, "SNR against ffmpeg's decode: \(aligned.snr) dB")
        }
    }

    @Test(arguments: [("pcm_s16le", 44_100, 2), ("pcm_f32le", 48_000, 1), ("pcm_s16le", 8_000, 1), ("pcm_f32le", 22_050, 2)])
    func ffmpegWAVDecodesExactly(codec: String, rate: Int, channels: Int) async throws {
        try await withScratch { scratch in
            try FFmpeg.makeSignal(scratch.path("in.wav"), rate: rate, channels: channels, seconds: 1.3, codecArguments: ["-c:a", codec])
            let reference = try FFmpeg.decode(scratch.path("in.wav"), scratch: scratch)
            let ours = try await Self.decodeWithUs(Self.wavToWAV, file: "in.wav", scratch: scratch)
            #expect(ours.rate == rate && ours.channels == channels)
            #expect(ours.samples == reference.samples)
        }
    }
}
