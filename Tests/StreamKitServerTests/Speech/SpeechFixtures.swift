import Foundation
import StreamKitCore
@testable import StreamKitServer

/// What the speech tests need from `make speech`: the built plugins in `.plugins/native`, the
/// models in `models/`, and espeak-ng to make speech with known words and known boundaries.
enum SpeechFixtures {
    static let root = PluginFixtures.repoRoot
    static let pluginDirectory = root.appendingPathComponent(".plugins").path
    static let models = root.appendingPathComponent("models").path
    static var moonshineDir: String { models + "/moonshine-base-en" }
    static var vadModel: String { models + "/silero_vad.onnx" }
    static var piperDir: String { models + "/piper-en_US-joe-medium" }
    static let rate = 22_050  // espeak-ng's own rate

    /// Throws with the command to run when `make speech` has not been run.
    static func requirePrepared() throws {
        let needed = ["native/libvad.so", "native/libmoonshine.so", "native/libpiper.so"].map { pluginDirectory + "/" + $0 }
            + [vadModel, moonshineDir + "/encoder_model.ort", moonshineDir + "/tokens.txt", piperDir + "/model.onnx"]
        for path in needed where !FileManager.default.fileExists(atPath: path) {
            throw SpeechTestError("\(path) is missing: run `make speech` first (make test does)")
        }
    }

    /// Whether `make speech` has been run (for tests that skip, with that reason, when it has not).
    static var isPrepared: Bool { (try? requirePrepared()) != nil }

    /// A server whose plugin directory is the project's `.plugins` (where `make speech` builds).
    static func server() async throws -> TestServer {
        try requirePrepared()
        return try await TestServer.start { configuration in
            configuration.plugins.directory = pluginDirectory
        }
    }

    /// espeak-ng's samples (22 050 Hz mono, −1…1) for `text`, trimmed to the speech itself.
    static func speak(_ text: String, wordsPerMinute: Int = 140, voice: String = "en-us") throws -> [Float] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("skit-speech-\(UUID().uuidString).wav").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PluginFixtures.run("/usr/bin/env", ["espeak-ng", "-v", voice, "-s", "\(wordsPerMinute)", "-w", path, text])
        guard let samples = PluginWAV.samples([UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))) else {
            throw SpeechTestError("espeak-ng wrote no audio for \(text)")
        }
        // Trim espeak's own leading/trailing quiet so the clip's boundaries are the speech's.
        let threshold: Float = 0.01
        guard let first = samples.firstIndex(where: { abs($0) > threshold }), let last = samples.lastIndex(where: { abs($0) > threshold }) else {
            throw SpeechTestError("espeak-ng's audio for \(text) is silent")
        }
        return Array(samples[first...last])
    }

    /// A clip: `lead` seconds of silence, then each piece followed by `gap` seconds of silence.
    /// Returns the samples and each piece's (start, end) in seconds.
    static func clip(_ pieces: [[Float]], lead: Double = 0.5, gap: Double = 1.2) -> (samples: [Float], spans: [(start: Double, end: Double)]) {
        var samples = [Float](repeating: 0, count: Int(lead * Double(rate)))
        var spans: [(Double, Double)] = []
        for piece in pieces {
            let start = Double(samples.count) / Double(rate)
            samples += piece
            spans.append((start, Double(samples.count) / Double(rate)))
            samples += [Float](repeating: 0, count: Int(gap * Double(rate)))
        }
        return (samples, spans)
    }

    /// A 16-bit mono WAV file of `samples`.
    static func wav(_ samples: [Float], rate: Int = rate) -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity(samples.count * 2)
        for sample in samples {
            let value = Int16(max(-1, min(1, sample)) * 32767)
            data.append(UInt8(truncatingIfNeeded: value))
            data.append(UInt8(truncatingIfNeeded: value >> 8))
        }
        func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        var file = Array("RIFF".utf8) + le32(36 + data.count) + Array("WAVEfmt ".utf8) + le32(16)
        file += le16(1) + le16(1) + le32(rate) + le32(rate * 2) + le16(2) + le16(16)
        file += Array("data".utf8) + le32(data.count) + data
        return file
    }

    /// WAV upload → 16 kHz → `stages` → NDJSON.
    static func ndjsonPipeline(_ stages: String, resample: Bool = true) -> String {
        """
        mode: oneshot
        steps:
          - kind: streamkit::http_input
          - kind: containers::wav::demuxer
        \(resample ? "  - kind: audio::resampler\n    params: {target_sample_rate: 16000}\n" : "")\(stages)
          - kind: core::json_serialize
            params: {newline_delimited: true}
          - kind: streamkit::http_output
            params: {content_type: application/json}
        """
    }

    static func moonshineStep(_ extra: String = "") -> String {
        "  - kind: plugin::native::moonshine\n    params: {model_dir: \"\(moonshineDir)\", vad_model_path: \"\(vadModel)\"\(extra)}"
    }

    /// The `Transcription` payloads of an NDJSON reply.
    static func transcriptions(_ text: String) -> [JSONValue] {
        text.split(separator: "\n").compactMap { line in (try? JSONValue.parse(String(line)))?["Transcription"] }
    }

    /// The `Custom` payloads' data of an NDJSON reply.
    static func customData(_ text: String) -> [JSONValue] {
        text.split(separator: "\n").compactMap { line in (try? JSONValue.parse(String(line)))?["Custom"]?["data"] }
    }
}

struct SpeechTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Word error rate with the usual normalisation: lower case, no punctuation, numbers as words.
enum WordErrorRate {
    static func words(_ text: String) -> [String] {
        var out: [String] = []
        for raw in text.lowercased().split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "\n" }) {
            var token = String(raw)
            // 9:30 (and Whisper's 9.30) → nine thirty
            if token.contains(":") || token.filter({ $0 != "." && $0 != "," }).allSatisfy(\.isNumber) && token.split(separator: ".").count == 2 {
                let parts = token.split(whereSeparator: { $0 == ":" || $0 == "." }).map { String($0.filter(\.isNumber)) }
                if parts.count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]) {
                    out += number(hours) + (minutes == 0 ? ["o'clock"] : number(minutes))
                    continue
                }
            }
            token = String(token.filter { $0.isLetter || $0.isNumber || $0 == "'" })
            if let value = Int(token) {
                out += number(value)
            } else if !token.isEmpty {
                out.append(token)
            }
        }
        return out
    }

    static func number(_ value: Int) -> [String] {
        let ones = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
        let tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
        if value < 20 { return [ones[max(0, value)]] }
        if value < 100 { return value % 10 == 0 ? [tens[value / 10]] : [tens[value / 10], ones[value % 10]] }
        return [String(value)]
    }

    /// Levenshtein distance over words / reference length.
    static func rate(reference: String, hypothesis: String) -> Double {
        let ref = words(reference), hyp = words(hypothesis)
        guard !ref.isEmpty else { return hyp.isEmpty ? 0 : 1 }
        var previous = Array(0...hyp.count)
        for i in 1...ref.count {
            var current = [i] + [Int](repeating: 0, count: hyp.count)
            for j in stride(from: 1, through: hyp.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref[i - 1] == hyp[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return Double(previous[hyp.count]) / Double(ref.count)
    }
}
