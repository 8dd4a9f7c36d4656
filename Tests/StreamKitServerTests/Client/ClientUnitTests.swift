import Foundation
import StreamKitClient
import StreamKitCLI
import StreamKitLoadTest
import StreamKitCore
import Testing

/// The client's pure parts: URLs, arguments, configs, statistics, error bodies.
@Suite("Client building blocks")
struct ClientUnitTests {
    @Test("server URLs map to HTTP and WebSocket endpoints")
    func serverAddress() throws {
        let plain = try ServerAddress("http://127.0.0.1:4545")
        #expect(plain.url("/api/v1/sessions") == "http://127.0.0.1:4545/api/v1/sessions")
        #expect(plain.controlURL == "ws://127.0.0.1:4545/api/v1/control")

        let based = try ServerAddress("https://example.test/s/abc/")
        #expect(based.port == 443)
        #expect(based.url("api/v1/process") == "https://example.test:443/s/abc/api/v1/process")
        #expect(based.controlURL == "wss://example.test:443/s/abc/api/v1/control")

        #expect(try ServerAddress("localhost:9000").baseURL == "http://localhost:9000")
        #expect(try ServerAddress("ws://[::1]:4545").controlURL == "ws://[::1]:4545/api/v1/control")
        #expect(throws: StreamKitClientError.self) { try ServerAddress("ftp://host") }
        #expect(throws: StreamKitClientError.self) { try ServerAddress("http://") }
    }

    @Test("key=value arguments become JSON parameters")
    func assignments() throws {
        let params = try ParamAssignments.parse(["gain=1.5", "name=hello", "on=true", "list=[1,2]", "filter.cutoff=300", "text=\"42\"", "empty="])
        #expect(params == ["gain": 1.5, "name": "hello", "on": true, "list": [1, 2], "filter": ["cutoff": 300], "text": "42", "empty": ""])
        #expect(throws: StreamKitClientError.self) { try ParamAssignments.parse(["novalue"]) }
        #expect(throws: StreamKitClientError.self) { try ParamAssignments.parse(["=1"]) }
        #expect(throws: StreamKitClientError.self) { try ParamAssignments.parse(["a..b=1"]) }
    }

    @Test("global options before the command move behind it")
    func relocation() {
        #expect(SkitCLI.relocatingGlobalOptions(["--server", "http://h:1", "--role=admin", "sessions", "list"])
            == ["sessions", "list", "--server", "http://h:1", "--role=admin"])
        #expect(SkitCLI.relocatingGlobalOptions(["-s", "u", "tune", "s", "n", "--", "x=1"]) == ["tune", "s", "n", "-s", "u", "--", "x=1"])
        #expect(SkitCLI.relocatingGlobalOptions(["nodes", "--server", "u"]) == ["nodes", "--server", "u"])
        #expect(SkitCLI.relocatingGlobalOptions(["--help"]) == ["--help"])
    }

    @Test("JSON error bodies become server errors with the server's message")
    func errorBodies() throws {
        let body = #"{"error":{"code":"invalid_pipeline","message":"Invalid pipeline: 2 problems","issues":[{"message":"node 'a': unknown kind"},{"message":"node 'b': bad pin"}]}}"#
        let error = try #require(Self.decode(status: 400, body: body))
        #expect(error == .server(status: 400, code: "invalid_pipeline", message: "Invalid pipeline: 2 problems", issues: ["node 'a': unknown kind", "node 'b': bad pin"]))
        #expect(error.description.contains("node 'b': bad pin"))
        #expect(error.kind == "http_400_invalid_pipeline")
        #expect(Self.decode(status: 403, body: "Origin not allowed") == .server(status: 403, code: nil, message: "Origin not allowed", issues: []))
    }

    private static func decode(status: Int, body: String) -> StreamKitClientError? {
        StreamKitClientError.parse(status: status, body: Array(body.utf8))
    }

    @Test("latency percentiles use nearest rank")
    func percentiles() throws {
        let summary = try #require(LatencySummary(samples: (1...100).map { Double($0) / 1000 }))
        #expect(summary.count == 100)
        #expect(summary.p50 == 0.050)
        #expect(summary.p95 == 0.095)
        #expect(summary.p99 == 0.099)
        #expect(summary.max == 0.100)
        #expect(summary.min == 0.001)
        #expect(LatencySummary(samples: []) == nil)
        #expect(LatencySummary(samples: [0.2])?.p99 == 0.2)
    }

    @Test("load-test configs are validated and bounded")
    func loadTestConfig() throws {
        let directory = try ClientTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "steps: []".write(to: directory.appendingPathComponent("p.yml"), atomically: true, encoding: .utf8)

        let config = try LoadTestConfiguration.parse(toml: """
            [oneshot]
            pipeline = "p.yml"
            concurrency = 3
            requests = 7
            """, baseDirectory: directory.path)
        let oneshot = try #require(config.oneshot)
        #expect(oneshot.concurrency == 3 && oneshot.requests == 7 && oneshot.inputPath == nil)
        #expect(oneshot.duration == .seconds(3600))
        #expect(config.dynamic == nil)

        func failure(_ toml: String) -> String {
            do {
                _ = try LoadTestConfiguration.parse(toml: toml, baseDirectory: directory.path)
                return "no error"
            } catch {
                return error.description
            }
        }
        #expect(failure("") .contains("nothing to run"))
        #expect(failure("[server]\nurl = \"http://elsewhere\"\n[oneshot]\npipeline = \"p.yml\"\nrequests = 1").contains("--server"))
        #expect(failure("[oneshot]\npipeline = \"p.yml\"").contains("bounded"))
        #expect(failure("[oneshot]\npipeline = \"p.yml\"\nrequests = 1\nconcurrency = 100000").contains("concurrency"))
        #expect(failure("[oneshot]\npipeline = \"missing.yml\"\nrequests = 1").contains("no file"))
        #expect(failure("[oneshot]\npipeline = \"p.yml\"\nrequests = 1\nconcurency = 2").contains("unknown key"))
        #expect(failure("[dynamic]\npipeline = \"p.yml\"\nsessions = 2").contains("duration_secs"))
        #expect(failure("[dynamic]\npipeline = \"p.yml\"\nsessions = 2\nduration_secs = 5\ntune_interval_ms = 100").contains("tune.node"))
        #expect(failure("[dynamic]\npipeline = \"p.yml\"\nsessions = 2\nduration_secs = 5\n[dynamic.tune]\nnode = \"g\"\nrandom = { gain = [2, 1] }").contains("low <= high"))
        #expect(failure("[oneshot\n").contains("invalid TOML"))
    }

    @Test("the bundled load-test presets parse")
    func presets() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples/loadtest")
        let dynamic = try LoadTestConfiguration.load(path: root.appendingPathComponent("dynamic_tone_gain.toml").path)
        let sessions = try #require(dynamic.dynamic)
        #expect(sessions.sessions == 200)
        #expect(sessions.tuneNode == "gain")
        #expect(sessions.tuneInterval != nil)
        #expect(sessions.pipelineYAML.contains("duration_ms: 0"))

        let media = try #require(try LoadTestConfiguration.load(path: root.appendingPathComponent("dynamic_media_ogg_opus.toml").path).dynamic?.media)
        #expect(media.inputNode == "mic" && media.outputNode == "speaker" && media.encoding == .oggOpus)
        #expect(media.source.samples.count == 48000 && media.source.sampleRate == 48000)

        let oneshotPath = root.appendingPathComponent("oneshot_passthrough.toml").path
        let input = root.deletingLastPathComponent().appendingPathComponent("audio/generated/tone.wav").path
        if FileManager.default.fileExists(atPath: input) {
            let oneshot = try #require(try LoadTestConfiguration.load(path: oneshotPath).oneshot)
            #expect(oneshot.concurrency == 50)
            #expect(oneshot.pipelineYAML.contains("core::passthrough"))
        } else {
            // The input is generated by `make samples`; without it the config says what is missing.
            let error = #expect(throws: StreamKitClientError.self) { try LoadTestConfiguration.load(path: oneshotPath) }
            #expect(error?.description.contains("tone.wav") == true)
        }
    }
}

@Suite("Client JSON reading")
struct ClientJSONTests {
    @Test("server answers keep their key order and escapes")
    func orderedKeys() throws {
        let body = #"{"error":{"code":"x","message":"zeta \"q\" \u00e9 \ud83d\ude00","issues":[]},"b":1}"#
        let error = StreamKitClientError.parse(status: 500, body: Array(body.utf8))
        #expect(error == .server(status: 500, code: "x", message: "zeta \"q\" é 😀", issues: []))
        // Order: `ParamAssignments.value` goes through the same reader.
        let object = ParamAssignments.value(#"{"tone":1,"pacer":2,"gain":3,"sink":-4.5e1}"#)
        #expect(object.objectValue?.keys == ["tone", "pacer", "gain", "sink"])
        #expect(object["sink"] == .number(-45))
        #expect(ParamAssignments.value("[1, 2") == .string("[1, 2"))
        #expect(ParamAssignments.value("01x") == .string("01x"))
    }
}
