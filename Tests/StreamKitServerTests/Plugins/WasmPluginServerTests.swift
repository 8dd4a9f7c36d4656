import Foundation
import StreamKitCore
@testable import StreamKitServer
import Testing

/// WASM plugins through the real server: components built by real toolchains (zig + wasm-tools,
/// componentize-py) by `make wasm-examples`, uploaded over HTTP and run on our Component Model host.
@Suite("WASM plugins through the server", .serialized, .timeLimit(.minutes(10)))
struct WasmPluginServerTests {
    static func component(_ relativePath: String) throws -> String {
        let path = PluginFixtures.repoRoot.appendingPathComponent(relativePath).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw PluginFixtures.BuildFailure(description: "\(relativePath) is missing: run `make wasm-examples` (make test does)")
        }
        return path
    }

    static let gainC = "examples/plugins/gain-wasm-c/build/gain_filter_c.wasm"
    static let gainPython = "examples/plugins/gain-wasm-python/build/gain_filter_python.wasm"
    static func fixture(_ name: String) -> String { "sdk/wasm/fixtures/build/\(name).wasm" }

    static func server(_ configure: @escaping (inout ServerConfiguration) -> Void = { _ in }) async throws -> TestServer {
        try await TestServer.start { configuration in
            configuration.plugins.allowHTTPManagement = true
            configure(&configuration)
        }
    }

    /// tone (48 kHz mono) → plugin → WAV, as a oneshot.
    static func tonePipeline(kind: String, params: String = "{}", amplitude: Double = 0.25, durationMs: Int = 400) -> String {
        """
        mode: oneshot
        steps:
          - kind: audio::tone
            params: {waveform: sine, frequency: 440, amplitude: \(amplitude), sample_rate: 48000, channels: 1, duration_ms: \(durationMs)}
          - kind: \(kind)
            params: \(params)
          - kind: containers::wav::muxer
          - kind: streamkit::http_output
        """
    }

    @Test("the C example (zig + wasm-tools): upload, oneshot at +6 dB checked by RMS, live tuning")
    func cExample() async throws {
        let server = try await Self.server()
        defer { Task { await server.stop() } }
        let uploaded = try await server.uploadPlugin(try Self.component(Self.gainC))
        #expect(uploaded.status == 201, "\(uploaded.text)")
        #expect(uploaded.json?["kind"] == "plugin::wasm::gain_filter_c")
        #expect(uploaded.json?["plugin_type"] == "wasm")
        #expect(uploaded.json?["inputs"]?.arrayValue?.first?["accepts_types"]?.arrayValue?.first?["RawAudio"]?["sample_rate"] == 48000)

        let reply = try await server.process(yaml: Self.tonePipeline(kind: "plugin::wasm::gain_filter_c", params: "{gain_db: 6}"))
        #expect(reply.status == 200, "\(reply.text)")
        let samples = try #require(PluginWAV.samples(reply.body))
        #expect(samples.count == 48000 * 400 / 1000)
        let expected = 0.25 / 2.0.squareRoot() * pow(10, 6.0 / 20)
        #expect(abs(PluginWAV.rms(samples) - expected) < 0.002, "rms \(PluginWAV.rms(samples)), expected \(expected)")

        let client = try await ControlTestClient.connect(server.controlURL)
        let session = try await client.startLevelSession(name: "wasm-live", kind: "plugin::wasm::gain_filter_c", params: ["gain_db": 0], amplitude: 0.4)
        let first = try await client.level(session: session)
        #expect(abs(first.rms - 0.4 / 2.0.squareRoot()) < 0.005, "rms \(first.rms)")
        let tuned = try await client.request(["action": "tunenode", "session_id": .string(session), "node_id": "plugin", "message": ["UpdateParams": ["gain_db": -6]]])
        #expect(tuned == ["action": "success"], "\(tuned)")
        let straddling = try await client.level(session: session, after: client.messages.count)
        let after = try await client.level(session: session, after: straddling.index + 1)
        #expect(abs(after.rms - 0.4 / 2.0.squareRoot() * pow(10, -6.0 / 20)) < 0.005, "rms \(after.rms)")
        await client.close()
    }

    @Test("the Python example (componentize-py, CPython inside): upload and a oneshot at -6 dB")
    func pythonExample() async throws {
        // CPython interpreted by a debug build of WasmKit needs more than the 50 ms default per
        // 960-sample packet (StreamKitWorldTests prints the guest CPU time of one `process`).
        let server = try await Self.server { $0.plugins.wasmCPUBudgetMs = Self.pythonDebugBudgetMs }
        defer { Task { await server.stop() } }
        let uploaded = try await server.uploadPlugin(try Self.component(Self.gainPython), timeout: .seconds(600))
        #expect(uploaded.status == 201, "\(uploaded.text)")
        #expect(uploaded.json?["kind"] == "plugin::wasm::gain_filter_python")
        let reply = try await server.process(yaml: Self.tonePipeline(kind: "plugin::wasm::gain_filter_python", params: "{gain_db: -6}", durationMs: 200), timeout: .seconds(600))
        #expect(reply.status == 200, "\(reply.text)")
        let samples = try #require(PluginWAV.samples(reply.body))
        #expect(samples.count == 48000 * 200 / 1000)
        let expected = 0.25 / 2.0.squareRoot() * pow(10, -6.0 / 20)
        #expect(abs(PluginWAV.rms(samples) - expected) < 0.002, "rms \(PluginWAV.rms(samples)), expected \(expected)")
    }

    /// The CPU budget the Python example needs in a debug build (see `pythonExample`).
    static let pythonDebugBudgetMs = 1000

    /// The CPU time a cpu-budget failure says the call used ("... (used 51.2 ms)").
    static func usedMilliseconds(_ reason: String) -> Double? {
        guard let range = reason.range(of: #"used [0-9]+\.[0-9] ms"#, options: .regularExpression) else { return nil }
        return Double(reason[range].dropFirst("used ".count).dropLast(" ms".count))
    }

    @Test("a component built against an older WIT is refused with the difference; bad files are 4xx")
    func refusedComponents() async throws {
        let server = try await Self.server()
        defer { Task { await server.stop() } }
        let stale = try await server.uploadPlugin(try Self.component(Self.fixture("stale-wit")))
        #expect(stale.status == 422, "\(stale.text)")
        #expect(stale.errorMessage?.contains("component has 3 cases, host has 4") == true || stale.errorMessage?.contains("cases") == true, "\(stale.text)")
        #expect(stale.errorMessage?.contains("custom") == true, "the message names what differs: \(stale.text)")
        let schema = try await server.uploadPlugin(try Self.component(Self.fixture("bad-schema")))
        #expect(schema.status == 422)
        #expect(schema.errorMessage?.contains("param-schema is not valid JSON") == true, "\(schema.text)")
        let garbage = try await server.uploadPlugin(bytes: Array("not wasm at all".utf8), fileName: "junk.wasm")
        #expect(garbage.status == 422)
        #expect(garbage.errorMessage?.contains("not a valid WebAssembly component") == true, "\(garbage.text)")
        #expect(server.stagingFiles.isEmpty)
        #expect(try await server.get("/api/v1/plugins").json == [])
    }

    @Test("an infinite loop, a memory bomb, a trapping constructor and a bad guest pointer each fail only their node")
    func misbehavingGuests() async throws {
        // The default limits: 50 ms of CPU per call, 64 MiB per instance. Growing memory is not
        // CPU-heavy, so the bomb reaches the memory cap, not the budget.
        let server = try await Self.server()
        defer { Task { await server.stop() } }
        for name in ["infinite-loop", "memory-bomb", "trap-constructor", "bad-pointer"] {
            let reply = try await server.uploadPlugin(try Self.component(Self.fixture(name)))
            #expect(reply.status == 201, "\(name): \(reply.text)")
        }
        let cases: [(kind: String, message: String)] = [
            ("plugin::wasm::fixture_infinite_loop", "cpu budget of 50 ms per call exceeded"),
            ("plugin::wasm::fixture_memory_bomb", "memory limit of 67108864 bytes exceeded"),
            ("plugin::wasm::fixture_trap_constructor", "the constructor failed"),
            ("plugin::wasm::fixture_bad_pointer", "process failed"),
        ]
        // The failures are reported by the engine with their reasons (checked through a live session).
        let client = try await ControlTestClient.connect(server.controlURL)
        for item in cases {
            // A failing constructor fails the node before it can be connected, so links may be refused.
            let session = try await client.startLevelSession(name: "bad-\(item.kind.split(separator: ":").last ?? "")", kind: item.kind, amplitude: 0.3, tolerateFailedNodes: true)
            let failed = try await client.event(timeout: .seconds(60)) {
                $0.has("event", "nodestatechanged") && $0.has("session_id", session) && $0.has("node_id", "plugin") && $0["state"]?["Failed"] != nil
            }
            let reason = failed["state"]?["Failed"]?["reason"]?.stringValue ?? ""
            #expect(reason.contains(item.kind), "\(reason)")
            #expect(reason.contains(item.message), "\(item.kind): \(reason)")
            if item.kind.hasSuffix("infinite_loop") {
                // Stopped within 2× the budget, by the CPU time the error reports.
                let used = try #require(Self.usedMilliseconds(reason), "no CPU time in \(reason)")
                #expect(used >= 50 && used <= 100, "the loop used \(used) ms of a 50 ms budget")
                print("infinite-loop plugin stopped at \(used) ms of a 50 ms budget")
            }
        }
        #expect(try await server.get("/healthz").status == 200)
        // A healthy WASM plugin still runs after all that.
        #expect(try await server.uploadPlugin(try Self.component(Self.gainC)).status == 201)
        let ok = try await server.process(yaml: Self.tonePipeline(kind: "plugin::wasm::gain_filter_c", params: "{gain_db: 0}", durationMs: 100))
        #expect(PluginWAV.samples(ok.body)?.count == 4800)
        await client.close()
    }
}
