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

    @Test func refusesAPublicAddressWithoutAuthentication() async throws {
        let result = try await Skit.run(["serve", "-c", "/nonexistent/skit.toml"], environment: ["SK_SERVER__ADDRESS": "0.0.0.0:45123"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("role_header"))
        #expect(result.stderr.contains("allow_insecure_no_auth"))
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
