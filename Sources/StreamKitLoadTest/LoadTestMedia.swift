import Foundation
import StreamKitClient
import StreamKitCore
import StreamKitNodes

/// The media part of a `[dynamic]` load test: each session streams audio into its
/// `transport::websocket::input` node at real time and reads its `transport::websocket::output`
/// node, over `/api/v1/sessions/{id}/media/{node}`.
///
/// ```toml
/// [dynamic]
/// media_input = "mic"             # a transport::websocket::input node of the pipeline
/// media_output = "speaker"        # a transport::websocket::output node
/// media_encoding = "ogg_opus"     # pcm_f32le (default), pcm_s16le or ogg_opus (both directions)
/// media_input_file = "tone.wav"   # a WAV file, looped; or a generated tone:
/// media_tone_hz = 440             # (default 440 Hz, amplitude media_tone_amplitude = 0.5)
/// media_sample_rate = 48000       # of the tone (a file keeps its own)
/// media_channels = 1              # of the tone
/// media_frame_ms = 20             # audio per message sent
/// media_realtime = true           # pace sending at real time (false: as fast as the socket takes it)
/// ```
public struct LoadTestMedia: Sendable {
    /// What the sockets carry, as the config names it.
    public enum Encoding: String, Sendable, CaseIterable {
        case pcmF32le = "pcm_f32le", pcmS16le = "pcm_s16le", oggOpus = "ogg_opus"

        /// The server's name for it (the `encoding` query parameter and node parameter).
        public var mediaEncoding: MediaEncoding { self == .oggOpus ? .oggOpus : .pcm }
        var sampleFormat: PCMFormat.SampleFormat { self == .pcmS16le ? .s16le : .f32le }
    }

    /// Audio sent into each session: interleaved samples, looped for as long as the run lasts.
    public struct Source: Sendable {
        public var description: String
        public var sampleRate: Int
        public var channels: Int
        public var samples: [Float]
    }

    public var inputNode: String?
    public var outputNode: String?
    public var encoding: Encoding
    public var source: Source
    public var frameMilliseconds: Int
    public var realTime: Bool

    /// The keys a `[dynamic]` table may hold for media.
    static let keys = [
        "media_input", "media_output", "media_encoding", "media_input_file", "media_tone_hz", "media_tone_amplitude",
        "media_sample_rate", "media_channels", "media_frame_ms", "media_realtime",
    ]

    /// A tone of `seconds` (a whole number of periods is not needed: the loop restarts the phase).
    static func tone(frequency: Double, amplitude: Double, sampleRate: Int, channels: Int) -> Source {
        // One second, looped: a click once a second at most, irrelevant to the measurement.
        var samples = [Float](repeating: 0, count: sampleRate * channels)
        for index in 0..<sampleRate {
            let value = Float(amplitude * sin(2 * Double.pi * frequency * Double(index) / Double(sampleRate)))
            for channel in 0..<channels { samples[index * channels + channel] = value }
        }
        return Source(description: "\(frequency) Hz tone at \(sampleRate) Hz, \(channels) ch", sampleRate: sampleRate, channels: channels, samples: samples)
    }

    /// Reads a WAV file for sending.
    static func wav(path: String) throws(StreamKitClientError) -> Source {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .invalidArgument("cannot read '\(path)': \(UploadSource.reason(error))")
        }
        var parser = WAVStreamParser(maxFramesPerChunk: 1 << 20)
        var samples: [Float] = []
        do {
            for chunk in try parser.feed(bytes) { samples += chunk }
            for chunk in try parser.finish() { samples += chunk }
        } catch {
            throw .invalidArgument("'\(path)' is not a WAV file this tester reads: \(error)")
        }
        guard let format = parser.format, !samples.isEmpty else {
            throw .invalidArgument("'\(path)' holds no audio")
        }
        return Source(description: (path as NSString).lastPathComponent, sampleRate: format.sampleRate, channels: format.channels, samples: samples)
    }
}
