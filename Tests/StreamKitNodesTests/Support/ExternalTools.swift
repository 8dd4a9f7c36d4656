import Foundation
import Testing

/// Runs the reference tools (`ffmpeg`, `ffprobe`, `opusenc`, `opusinfo`, `flac`) as subprocesses.
/// A missing tool is an error, never a skip: CI installs them (`make test` does).
enum ExternalTool {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `tool` with `arguments`; throws when the tool is missing. Does not check the status.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> Output {
        guard let path = which(tool) else {
            throw Failure(description: "'\(tool)' is not installed; `make test` installs it (Debian: ffmpeg, opus-tools, flac)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let directory = FileManager.default.temporaryDirectory
        let outURL = directory.appendingPathComponent("skit-tool-\(UUID().uuidString).out")
        let errURL = directory.appendingPathComponent("skit-tool-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Output(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        )
    }

    /// Runs `tool` and throws unless it exits with status 0.
    @discardableResult
    static func check(_ tool: String, _ arguments: [String]) throws -> Output {
        let output = try run(tool, arguments)
        guard output.status == 0 else {
            throw Failure(description: "\(tool) \(arguments.joined(separator: " ")) exited with \(output.status): \(output.stderr.suffix(2000))")
        }
        return output
    }

    static func which(_ tool: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for directory in paths {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// A scratch directory removed when the value is dropped by `withScratch`.
struct Scratch {
    let url: URL

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func read(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }
}

func withScratch<T>(_ body: (Scratch) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("skit-codec-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(Scratch(url: url))
}

/// What ffmpeg and ffprobe say about media.
enum FFmpeg {
    /// Decodes `path` with ffmpeg to interleaved f32 at the file's own rate and channels.
    /// `decoder` picks ffmpeg's decoder (e.g. `libopus`, the reference decoder, rather than
    /// ffmpeg's own Opus decoder, whose SILK resampler differs slightly).
    static func decode(_ path: String, scratch: Scratch, decoder: String? = nil) throws -> (rate: Int, channels: Int, samples: [Float]) {
        let info = try probe(path)
        let raw = scratch.path("ffmpeg-\(UUID().uuidString).f32")
        let decoderArguments = decoder.map { ["-c:a", $0] } ?? []
        try ExternalTool.check("ffmpeg", ["-nostdin", "-v", "error", "-y"] + decoderArguments + ["-i", path, "-f", "f32le", "-c:a", "pcm_f32le", raw])
        let data = try Data(contentsOf: URL(fileURLWithPath: raw))
        let samples = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        return (info.rate, info.channels, samples)
    }

    struct Probe {
        var codec: String
        var rate: Int
        var channels: Int
        var duration: Double?
        var formatName: String
    }

    static func probe(_ path: String) throws -> Probe {
        let output = try ExternalTool.check("ffprobe", [
            "-v", "error", "-select_streams", "a:0",
            "-show_entries", "stream=codec_name,sample_rate,channels,duration:format=format_name,duration",
            "-of", "default=noprint_wrappers=1", path,
        ])
        var values: [String: String] = [:]
        for line in output.stdout.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2, values[parts[0]] == nil || parts[0] == "duration" && values["duration"] == "N/A" { values[parts[0]] = parts[1] }
        }
        return Probe(
            codec: values["codec_name"] ?? "",
            rate: Int(values["sample_rate"] ?? "") ?? 0,
            channels: Int(values["channels"] ?? "") ?? 0,
            duration: Double(values["duration"] ?? ""),
            formatName: values["format_name"] ?? ""
        )
    }

    /// Makes a test signal with ffmpeg's lavfi sources: rising and falling chirps (not periodic,
    /// so an offset cannot hide behind a period), a different one on the right channel so that
    /// channel mix-ups show.
    static func makeSignal(_ path: String, rate: Int, channels: Int, seconds: Double, codecArguments: [String]) throws {
        let left = "0.5*sin(2*PI*(200+300*t)*t)"
        let right = "0.3*sin(2*PI*(1500-200*t)*t)"
        let expression = channels == 2 ? "\(left)|\(right)" : left
        var arguments = ["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "aevalsrc=\(expression):s=\(rate):d=\(seconds)"]
        arguments += codecArguments + [path]
        try ExternalTool.check("ffmpeg", arguments)
    }
}

/// Comparisons of decoded audio.
enum AudioCompare {
    /// Signal-to-noise ratio (dB) of `test` against `reference` over their common length.
    static func snr(_ reference: [Float], _ test: [Float]) -> Double {
        let count = min(reference.count, test.count)
        guard count > 0 else { return -.infinity }
        var signal = 0.0
        var noise = 0.0
        for index in 0..<count {
            let r = Double(reference[index])
            let d = r - Double(test[index])
            signal += r * r
            noise += d * d
        }
        if noise == 0 { return .infinity }
        return 10 * log10(signal / noise)
    }

    /// SNR of `test` shifted by `lag` frames against `reference` over at most `limit` values.
    static func snr(_ reference: [Float], _ test: [Float], lagValues shift: Int, limit: Int = .max) -> Double {
        let refStart = max(0, -shift)
        let testStart = max(0, shift)
        let count = min(limit, reference.count - refStart, test.count - testStart)
        guard count > 0 else { return -.infinity }
        var signal = 0.0
        var noise = 0.0
        reference.withUnsafeBufferPointer { r in
            test.withUnsafeBufferPointer { t in
                for index in 0..<count {
                    let a = Double(r[refStart + index])
                    let d = a - Double(t[testStart + index])
                    signal += a * a
                    noise += d * d
                }
            }
        }
        if noise == 0 { return .infinity }
        return 10 * log10(signal / noise)
    }

    /// The lag (in frames, within ±maxLag) that aligns `test` best with `reference`, judged on a
    /// window, and the SNR over the whole common length at that lag.
    static func bestSNR(_ reference: [Float], _ test: [Float], channels: Int, maxLag: Int) -> (snr: Double, lag: Int) {
        var best = (snr: -Double.infinity, lag: 0)
        for lag in -maxLag...maxLag {
            let value = snr(reference, test, lagValues: lag * channels, limit: 8192 * channels)
            if value > best.snr { best = (value, lag) }
        }
        return (snr(reference, test, lagValues: best.lag * channels), best.lag)
    }
}
