import Foundation
import StreamKitClient
import StreamKitCLI
import StreamKitLoadTest
import StreamKitCore
import Testing

/// The client library against a real server on a loopback port.
@Suite("Client against a real server", .serialized)
struct ClientIntegrationTests {
    private func client(_ server: TestServer) throws -> StreamKitHTTPClient {
        StreamKitHTTPClient(server: try ServerAddress(server.baseURL))
    }

    @Test("process streams a WAV through a gain pipeline and the samples come back doubled")
    func processDoublesSamples() async throws {
        let server = try await TestServer.start()
        let directory = try ClientTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pattern: [Int16] = [0, 1000, -1000, 5000, -5000, 12000, -12000, 300]
        let input = (0..<6000).map { pattern[$0 % pattern.count] }
        let inputURL = directory.appendingPathComponent("in.wav")
        let outputURL = directory.appendingPathComponent("out.wav")
        try Data(ClientTestSupport.wav(samples: input)).write(to: inputURL)

        let result: StreamKitHTTPClient.ProcessResult
        do {
            result = try await client(server).process(
                pipelineYAML: ClientTestSupport.gainWAVPipeline, input: .file(path: inputURL.path), output: .file(path: outputURL.path)
            )
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()

        let output = try [UInt8](Data(contentsOf: outputURL))
        #expect(result.bytes == Int64(output.count))
        #expect(result.duration > .zero)
        let samples = try #require(ClientTestSupport.samples(ofWAV: output))
        #expect(samples.count == input.count)
        let worst = zip(input, samples).map { abs(Int($0) * 2 - Int($1)) }.max() ?? Int.max
        #expect(worst <= 2, "largest difference from 2× input: \(worst)")
    }

    @Test("sessions can be created, listed, shown with node states, and destroyed")
    func sessionLifecycle() async throws {
        let server = try await TestServer.start()
        do {
            let client = try client(server)
            let created = try await client.createSession(yaml: ClientTestSupport.toneGainPipeline, name: "client-lifecycle")
            #expect(created.name == "client-lifecycle")
            #expect(!created.createdAt.isEmpty)

            let listed = try await client.listSessions()
            #expect(listed.contains { $0.id == created.id && $0.name == "client-lifecycle" })

            let running = try await ClientTestSupport.eventually { () async throws -> RemotePipeline? in
                let pipeline = try await client.pipeline(of: created.id)
                return pipeline.node("gain")?.stateText == "Running" ? pipeline : nil
            }
            let pipeline = try #require(running, "the gain node never reported Running")
            #expect(pipeline.nodes.map(\.id) == ["tone", "pacer", "gain", "sink"])
            #expect(pipeline.node("gain")?.kind == "audio::gain")
            #expect(pipeline.connections.contains { $0.fromNode == "pacer" && $0.toNode == "gain" })
            // Addressing by name works too.
            #expect(try await client.pipeline(of: "client-lifecycle").nodes.count == 4)

            let destroyed = try await client.destroySession(created.id)
            #expect(destroyed == created.id)
            #expect(try await client.listSessions().contains { $0.id == created.id } == false)

            // A second destroy reports the server's not-found message.
            let error = await #expect(throws: StreamKitClientError.self) { try await client.destroySession(created.id) }
            #expect(error?.description.contains("not found") == true)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("tune over WebSocket answers success and a watch stream sees nodeparamschanged")
    func tuneAndWatch() async throws {
        let server = try await TestServer.start()
        let address = try ServerAddress(server.baseURL)
        let watcher = try await ControlConnection.connect(to: address)
        let tuner = try await ControlConnection.connect(to: address)
        do {
            let events = watcher.events()
            let session = try await client(server).createSession(yaml: ClientTestSupport.toneGainPipeline, name: "client-tune")
            let created = await ClientTestSupport.firstEvent(in: events) { $0.name == "sessioncreated" && $0.sessionID == session.id }
            #expect(created != nil)

            let reply = try await tuner.tuneNode(session: session.id, node: "gain", params: ["gain": 1.5])
            #expect(reply["action"]?.stringValue == "success")

            let changed = await ClientTestSupport.firstEvent(in: events) {
                $0.name == "nodeparamschanged" && $0.sessionID == session.id && $0.nodeID == "gain"
            }
            let event = try #require(changed, "no nodeparamschanged event arrived")
            #expect(event.payload["params"]?["gain"]?.doubleValue == 1.5)
            #expect(event.summary.contains("gain: params"))
            #expect(event.rawText.contains("\"nodeparamschanged\""))

            // The server's refusal comes back as a control error with its message.
            let refusal = await #expect(throws: StreamKitClientError.self) {
                try await tuner.tuneNode(session: "no-such-session", node: "gain", params: ["gain": 1])
            }
            #expect(refusal == .control(message: "Session 'no-such-session' not found"))

            let sessions = try await tuner.listSessions()
            #expect(sessions.contains { $0.id == session.id })
        } catch {
            await watcher.close()
            await tuner.close()
            await server.stop()
            throw error
        }
        await watcher.close()
        await tuner.close()
        #expect(!watcher.isOpen)
        await server.stop()
    }

    @Test("a small load test counts every request, with latencies and no errors")
    func smallLoadTest() async throws {
        let server = try await TestServer.start()
        let directory = try ClientTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try ClientTestSupport.passthroughPipeline.write(to: directory.appendingPathComponent("pass.yml"), atomically: true, encoding: .utf8)
        try ClientTestSupport.toneGainPipeline.write(to: directory.appendingPathComponent("tone.yml"), atomically: true, encoding: .utf8)
        try Data(ClientTestSupport.wav(samples: Array(repeating: 1000, count: 4800))).write(to: directory.appendingPathComponent("in.wav"))
        let toml = """
        [oneshot]
        pipeline = "pass.yml"
        input_file = "in.wav"
        concurrency = 2
        requests = 5
        duration_secs = 60

        [dynamic]
        pipeline = "tone.yml"
        sessions = 2
        duration_secs = 1.5
        tune_interval_ms = 200
        connections = 1
        [dynamic.tune]
        node = "gain"
        params = { ramp_ms = 5 }
        random = { gain = [0.5, 2.0] }
        """
        let configuration = try LoadTestConfiguration.parse(toml: toml, baseDirectory: directory.path)
        let report: LoadTestReport
        let leftOver: [RemoteSession]
        do {
            report = try await LoadTester(server: try ServerAddress(server.baseURL)).run(configuration)
            leftOver = try await client(server).listSessions()
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()

        let oneshot = try #require(report.operation("oneshot"))
        #expect(oneshot.attempts == 5)
        #expect(oneshot.successes == 5)
        #expect(oneshot.errorCount == 0, "\(oneshot.errors)")
        #expect(oneshot.bytes == Int64(5 * (44 + 9600)))
        let latency = try #require(oneshot.latency)
        #expect(latency.p50 > 0 && latency.p95 > 0 && latency.p99 > 0 && latency.max > 0)
        #expect(latency.p50 <= latency.p95 && latency.p95 <= latency.p99 && latency.p99 <= latency.max)
        #expect(oneshot.throughput > 0)

        let create = try #require(report.operation("session_create"))
        #expect(create.successes == 2 && create.errorCount == 0)
        #expect((create.latency?.max ?? 0) > 0)
        let tune = try #require(report.operation("tune"))
        #expect(tune.successes > 0 && tune.errorCount == 0, "\(tune.errors)")
        #expect((tune.latency?.p50 ?? 0) > 0)
        let destroy = try #require(report.operation("session_destroy"))
        #expect(destroy.successes == 2 && destroy.errorCount == 0)
        #expect(leftOver.isEmpty)
        #expect(report.totalErrors == 0)
        #expect(report.text.contains("oneshot"))
    }

    @Test("a bad pipeline surfaces the server's error message")
    func badPipelineMessage() async throws {
        let server = try await TestServer.start()
        do {
            let client = try client(server)
            let noOutput = """
            steps:
              - kind: streamkit::http_input
              - kind: core::passthrough
            """
            let processError = await #expect(throws: StreamKitClientError.self) {
                try await client.process(pipelineYAML: noOutput, input: .bytes([1, 2, 3]), output: .discard)
            }
            guard case .server(let status, let code, let message, _)? = processError else {
                Issue.record("expected a server error, got \(String(describing: processError))")
                throw CancellationError()
            }
            #expect(status == 400)
            #expect(code == "invalid_pipeline")
            #expect(message == "Pipeline must contain one 'streamkit::http_output' node for oneshot processing")

            let unknownKind = """
            nodes:
              a:
                kind: audio::does_not_exist
            """
            let createError = await #expect(throws: StreamKitClientError.self) {
                try await client.createSession(yaml: unknownKind)
            }
            #expect(createError?.description.contains("audio::does_not_exist") == true, "\(String(describing: createError))")
            #expect(createError?.kind.hasPrefix("http_4") == true)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("the skit-cli process command runs end to end with global options before the command")
    func processCommandLine() async throws {
        let server = try await TestServer.start()
        let directory = try ClientTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pipeline = directory.appendingPathComponent("pass.yml")
        let input = directory.appendingPathComponent("in.bin")
        let output = directory.appendingPathComponent("out.bin")
        try ClientTestSupport.passthroughPipeline.write(to: pipeline, atomically: true, encoding: .utf8)
        let payload = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(payload).write(to: input)

        do {
            try await SkitCLI.run(arguments: [
                "--server", server.baseURL, "--role", "admin", "process", pipeline.path, "-i", input.path, "-o", output.path, "-q",
            ])
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        #expect(try [UInt8](Data(contentsOf: output)) == payload)
    }
}
