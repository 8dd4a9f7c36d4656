import Foundation
import Testing

@Suite("skit serve", .serialized)
struct ServeCommandTests {
    /// Starts `skit serve` with `environment`, returns the process once it logged that it listens.
    func startServer(_ environment: [String: String], log: URL) throws -> Process {
        let process = Process()
        guard let binary = Skit.binary else { throw CancellationError() }
        process.executableURL = binary
        process.arguments = ["serve", "-c", "/nonexistent/skit.toml"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// `POST /api/v1/process` with `pipeline` through curl; returns the HTTP status.
    func postOneshot(_ pipeline: URL, port: Int) throws -> String {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-F", "config=@\(pipeline.path)", "http://127.0.0.1:\(port)/api/v1/process"]
        let status = Pipe()
        curl.standardOutput = status
        try curl.run()
        curl.waitUntilExit()
        return String(decoding: status.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    /// Runs `yaml` as a oneshot on the server (expecting 200), waits until its log has a line
    /// containing `text`, and returns that line ("" if none).
    func oneshotLogLine(_ yaml: String, in root: URL, port: Int, log: URL, containing text: String) async throws -> String {
        let pipeline = root.appendingPathComponent("oneshot-\(UUID().uuidString).yml")
        try yaml.write(to: pipeline, atomically: true, encoding: .utf8)
        #expect(try postOneshot(pipeline, port: port) == "200")
        #expect(try await waitFor(text, in: log))
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        return lines.first { $0.contains(text) }.map(String.init) ?? ""
    }

    func waitFor(_ text: String, in log: URL, limit: Duration = .seconds(20)) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let content = try? String(contentsOf: log, encoding: .utf8), content.contains(text) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    @Test func servesAndStopsGracefullyOnSIGTERM() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let port = Int.random(in: 40_000...49_000)
        let process = try startServer(["SK_SERVER__ADDRESS": "127.0.0.1:\(port)"], log: log)
        #expect(try await waitFor("skit listening", in: log))
        let started = ContinuousClock.now
        process.terminate()
        while process.isRunning && ContinuousClock.now - started < .seconds(12) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!process.isRunning, "stops within the 10 s shutdown deadline")
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }

    @Test("plugins in the plugin directory load at start-up and their log lines reach the server log under their label")
    func pluginDirectoryAndPluginLogs() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("serve-plugins-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/plugins/gain-native-c")
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        make.arguments = ["make", "-s", "-C", example.path, "BUILD=\(root.appendingPathComponent("plugins/native").path)"]
        try make.run()
        make.waitUntilExit()
        try #require(make.terminationStatus == 0)

        let log = root.appendingPathComponent("serve.log")
        let port = Int.random(in: 40_000...49_000)
        let process = try startServer([
            "SK_SERVER__ADDRESS": "127.0.0.1:\(port)", "SK_PLUGINS__DIRECTORY": root.appendingPathComponent("plugins").path,
        ], log: log)
        defer { process.terminate(); process.waitUntilExit() }
        #expect(try await waitFor("skit listening", in: log))
        let logged = try String(contentsOf: log, encoding: .utf8)
        #expect(logged.contains("kind=plugin::native::gain_native_c"), "\(logged)")
        #expect(logged.contains("plugin loaded"))

        let pluginLine = try await oneshotLogLine(
            "mode: oneshot\nsteps:\n  - kind: audio::tone\n    params: {duration_ms: 100}\n  - kind: plugin::native::gain_native_c\n    params: {gain_db: 6}\n  - kind: containers::wav::muxer\n  - kind: streamkit::http_output\n",
            in: root, port: port, log: log, containing: "gain_native_c ready at 6.00 dB")
        #expect(pluginLine.contains("plugin.native.gain_native_c"), "the plugin's label: \(pluginLine)")
        #expect(pluginLine.contains("plugin=plugin::native::gain_native_c"), "\(pluginLine)")
    }

    @Test("a WASM plugin's stderr lines reach the server log under the plugin's label")
    func wasmStderrReachesTheLog() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("serve-wasm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let fixture = repo.appendingPathComponent("sdk/wasm/fixtures/build/stderr-writer.wasm")
        try #require(FileManager.default.fileExists(atPath: fixture.path), "run `make wasm-examples` (make test does)")
        let wasmDir = root.appendingPathComponent("plugins/wasm")
        try FileManager.default.createDirectory(at: wasmDir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixture, to: wasmDir.appendingPathComponent("stderr-writer.wasm"))

        let log = root.appendingPathComponent("serve.log")
        let port = Int.random(in: 40_000...49_000)
        let process = try startServer([
            "SK_SERVER__ADDRESS": "127.0.0.1:\(port)", "SK_PLUGINS__DIRECTORY": root.appendingPathComponent("plugins").path,
        ], log: log)
        defer { process.terminate(); process.waitUntilExit() }
        #expect(try await waitFor("skit listening", in: log))
        #expect(try String(contentsOf: log, encoding: .utf8).contains("kind=plugin::wasm::fixture_stderr_writer"))

        let line = try await oneshotLogLine(
            "mode: oneshot\nsteps:\n  - kind: audio::tone\n    params: {duration_ms: 60, sample_rate: 48000, channels: 1}\n  - kind: plugin::wasm::fixture_stderr_writer\n  - kind: containers::wav::muxer\n  - kind: streamkit::http_output\n",
            in: root, port: port, log: log, containing: "stderr-writer: process")
        #expect(line.contains("plugin.wasm.fixture_stderr_writer"), "\(line)")
        #expect(line.contains("stream=stderr"), "\(line)")
    }

    @Test func refusesAPublicAddressWithoutAuthentication() async throws {
        let result = try await Skit.run(["serve", "-c", "/nonexistent/skit.toml"], environment: ["SK_SERVER__ADDRESS": "0.0.0.0:45123"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("role_header"))
        #expect(result.stderr.contains("allow_insecure_no_auth"))
    }

    @Test("a blank or invalid role_header on a public address stops start-up naming the key", arguments: ["   ", "\t", "x role"])
    func blankRoleHeaderStopsStartUp(value: String) async throws {
        let result = try await Skit.run(["serve", "-c", "/nonexistent/skit.toml"], environment: [
            "SK_SERVER__ADDRESS": "0.0.0.0:45124", "SK_PERMISSIONS__ROLE_HEADER": value,
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("permissions.role_header: expected an HTTP header name"), "\(result.stderr)")
    }

    @Test func unknownConfigurationKeysStopStartUp() async throws {
        let scratch = try Scratch()
        let path = try scratch.write("skit.toml", "[server]\nadress = \"127.0.0.1:4545\"\n")
        let result = try await Skit.run(["serve", "-c", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("server.adress"))
        #expect(result.stderr.contains("did you mean 'server.address'"))
    }

    @Test func defaultConfigurationIsPrintedAndLoadsBack() async throws {
        let scratch = try Scratch()
        let printed = try await Skit.run(["config", "default"])
        #expect(printed.status == 0)
        #expect(printed.stdout.contains("[permissions.roles.user]"))
        let path = try scratch.write("skit.toml", printed.stdout + "\n[server]\naddress = \"0.0.0.0:1\"\n")
        // Loading a file with a duplicated section is a TOML error, and it must be reported, not ignored.
        let duplicated = try await Skit.run(["serve", "-c", path])
        #expect(duplicated.status == 1)
    }
}
