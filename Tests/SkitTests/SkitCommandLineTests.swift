import Foundation
import Testing

/// Runs the real `skit` binary, as a user would.
enum Skit {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var binary: URL? {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("skit")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        let fallback = repositoryRoot.appendingPathComponent(".build/debug/skit")
        return FileManager.default.isExecutableFile(atPath: fallback.path) ? fallback : nil
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func sample(_ name: String) -> String {
        repositoryRoot.appendingPathComponent("samples/pipelines/\(name)").path
    }

    /// Runs skit with `arguments`, feeding `stdin`; gives up (and fails the test) after `timeout`.
    static func run(_ arguments: [String], stdin: [UInt8]? = nil, environment: [String: String] = [:], timeout: Duration = .seconds(60)) async throws -> Result {
        guard let binary else {
            Issue.record("the skit binary was not built next to the tests")
            return Result(status: -1, stdout: "", stderr: "")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = repositoryRoot
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("out")
        let errURL = directory.appendingPathComponent("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        if let stdin {
            let inURL = directory.appendingPathComponent("in")
            FileManager.default.createFile(atPath: inURL.path, contents: Data(stdin))
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                Issue.record("skit \(arguments.joined(separator: " ")) did not finish within \(timeout)")
                break
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        )
    }
}

/// A temporary folder removed at the end of a test.
struct Scratch: ~Copyable {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("skit-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func write(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Samples of a 16-bit WAV written by our muxer or a plain 44-byte-header file.
func s16Samples(_ path: String) throws -> [Int16] {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    guard bytes.count >= 44 else { return [] }
    return stride(from: 44, to: bytes.count - 1, by: 2).map { Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8) }
}

@Suite("skit on the command line", .serialized)
struct SkitCommandLineTests {
    @Test func runMakesAToneAndDoublesItsVolume() async throws {
        let scratch = try Scratch()
        let tone = try await Skit.run(["run", Skit.sample("oneshot/tone_to_wav.yml"), "-o", scratch.path("tone.wav")])
        #expect(tone.status == 0, "\(tone.stderr)")
        let original = try s16Samples(scratch.path("tone.wav"))
        #expect(original.count == 2 * 96_000, "2 s of 48 kHz stereo")
        #expect(original.map { abs(Int($0)) }.max() == 16384, "a 0.5 sine peaks at 16384")

        let loud = try await Skit.run(["run", Skit.sample("oneshot/double_volume_wav.yml"), "-i", scratch.path("tone.wav"), "-o", scratch.path("loud.wav")])
        #expect(loud.status == 0, "\(loud.stderr)")
        #expect(loud.stderr.contains("done in"))
        let doubled = try s16Samples(scratch.path("loud.wav"))
        #expect(doubled.count == original.count)
        let mismatches = zip(original, doubled).filter { Int(max(-32768, min(32767, 2 * Int($0.0)))) != Int($0.1) }.count
        #expect(mismatches == 0, "every sample is exactly doubled (clipped at full scale)")
    }

    @Test func standardInputAndOutputWork() async throws {
        let text = "Hello there. How are you today? Fine, thanks."
        let result = try await Skit.run(["run", "-q", Skit.sample("oneshot/text_to_sentences.yml"), "-i", "-", "-o", "-"], stdin: Array(text.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines == [#"{"Text":"Hello there."}"#, #"{"Text":"How are you today?"}"#, #"{"Text":"Fine, thanks."}"#])
    }

    @Test func malformedYAMLExitsNonZeroAndNamesTheLine() async throws {
        let scratch = try Scratch()
        let path = try scratch.write("bad.yml", "steps:\n  - kind: audio::gain\n    params: {gain: [1, 2}\n")
        let result = try await Skit.run(["run", path, "-o", scratch.path("x")])
        #expect(result.status == 2)
        #expect(result.stderr.contains("line 3"), "\(result.stderr)")
    }

    @Test func aLyingWAVFailsCleanly() async throws {
        let scratch = try Scratch()
        // A header that claims 1 000 000 bytes of data, followed by 10 bytes.
        var header: [UInt8] = Array("RIFF".utf8) + [36, 66, 15, 0] + Array("WAVEfmt ".utf8) + [16, 0, 0, 0, 1, 0, 2, 0]
        header += [0x80, 0xBB, 0, 0, 0, 0xEE, 2, 0, 4, 0, 16, 0] + Array("data".utf8) + [0x40, 0x42, 0x0F, 0]
        FileManager.default.createFile(atPath: scratch.path("lying.wav"), contents: Data(header + [UInt8](repeating: 1, count: 10)))
        let result = try await Skit.run(["run", Skit.sample("oneshot/double_volume_wav.yml"), "-i", scratch.path("lying.wav"), "-o", scratch.path("out.wav")], timeout: .seconds(30))
        #expect(result.status == 1)
        #expect(result.stderr.contains("containers::wav::demuxer"), "\(result.stderr)")
        #expect(result.stderr.contains("1000000"), "the message says what the header claimed: \(result.stderr)")

        FileManager.default.createFile(atPath: scratch.path("empty.wav"), contents: Data())
        let empty = try await Skit.run(["run", Skit.sample("oneshot/double_volume_wav.yml"), "-i", scratch.path("empty.wav"), "-o", scratch.path("out2.wav")], timeout: .seconds(30))
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("empty"), "\(empty.stderr)")
    }

    @Test func aMissingInputFileIsAClearError() async throws {
        let result = try await Skit.run(["run", Skit.sample("oneshot/double_volume_wav.yml"), "-i", "/nonexistent/in.wav", "-o", "/tmp/never.wav"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("/nonexistent/in.wav"))
    }

    @Test func longRunsPrintProgress() async throws {
        let scratch = try Scratch()
        let path = try scratch.write("slow.yml", """
            mode: oneshot
            steps:
              - {kind: audio::tone, params: {duration_ms: 1600, sample_rate: 8000}}
              - {kind: audio::pacer, params: {generate_silence: false}}
              - {kind: containers::wav::muxer}
              - {kind: streamkit::http_output}
            """)
        let result = try await Skit.run(["run", path, "-o", scratch.path("slow.wav")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("progress:"), "\(result.stderr)")
        #expect(try s16Samples(scratch.path("slow.wav")).count == 12_800)
    }

    @Test func validateReportsEveryProblem() async throws {
        let scratch = try Scratch()
        let ok = try await Skit.run(["validate", Skit.sample("oneshot/mix_and_resample.yml")])
        #expect(ok.status == 0)
        #expect(ok.stdout.contains("8 nodes"))
        let path = try scratch.write("bad.yml", "mode: oneshot\nsteps:\n  - kind: audio::toon\n  - kind: audio::gain\n    params: {gain: 7}\n")
        let bad = try await Skit.run(["validate", path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("2 problems"))
        #expect(bad.stderr.contains("did you mean 'audio::tone'"))
        #expect(bad.stderr.contains("params.gain"))
    }

    @Test func nodesAndSchemasAsJSON() async throws {
        let result = try await Skit.run(["nodes", "--json"])
        #expect(result.status == 0)
        let kinds = try (JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])?.compactMap { $0["kind"] as? String } ?? []
        for kind in ["core::passthrough", "audio::gain", "audio::mixer", "audio::resampler", "containers::wav::demuxer", "containers::wav::muxer", "audio::tone", "streamkit::http_input"] {
            #expect(kinds.contains(kind), "\(kind) is listed")
        }
        let packets = try await Skit.run(["schema", "packets"])
        #expect(packets.stdout.contains("\"RawAudio\""))
    }
}
