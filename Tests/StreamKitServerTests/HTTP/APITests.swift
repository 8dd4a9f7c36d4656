import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import StreamKitCore
@testable import StreamKitServer

/// A WAV made in the test (16-bit PCM), and reading one back.
enum TestWAV {
    static func make(samples: [Int16], sampleRate: Int = 48000, channels: Int = 1) -> [UInt8] {
        func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
        func le16(_ value: Int) -> [UInt8] { (0..<2).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
        let data = samples.flatMap { le16(Int($0)) }
        return Array("RIFF".utf8) + le32(36 + data.count) + Array("WAVEfmt ".utf8) + le32(16) + le16(1) + le16(channels)
            + le32(sampleRate) + le32(sampleRate * channels * 2) + le16(channels * 2) + le16(16) + Array("data".utf8) + le32(data.count) + data
    }

    static func samples(_ bytes: [UInt8]) -> [Int16] {
        guard let index = findData(bytes) else { return [] }
        let payload = bytes[(index + 8)...]
        return stride(from: payload.startIndex, to: payload.endIndex - 1, by: 2).map { Int16(bitPattern: UInt16(payload[$0]) | UInt16(payload[$0 + 1]) << 8) }
    }

    private static func findData(_ bytes: [UInt8]) -> Int? {
        guard bytes.count > 12 else { return nil }
        var index = 12
        while index + 8 <= bytes.count {
            let id = String(decoding: bytes[index..<index + 4], as: UTF8.self)
            if id == "data" { return index }
            let size = Int(bytes[index + 4]) | Int(bytes[index + 5]) << 8 | Int(bytes[index + 6]) << 16 | Int(bytes[index + 7]) << 24
            index += 8 + size + (size & 1)
        }
        return nil
    }
}

let gainPipeline = """
    mode: oneshot
    steps:
      - kind: streamkit::http_input
      - kind: containers::wav::demuxer
      - kind: audio::gain
        params: {gain: 2.0}
      - kind: containers::wav::muxer
      - kind: streamkit::http_output
    """

@Suite("HTTP API against a real server", .serialized)
struct APITests {
    @Test func healthConfigPermissionsAndSchemas() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        for path in ["/healthz", "/health"] {
            let health = try await server.get(path)
            #expect(health.status == 200)
            #expect(health.json?["status"]?.stringValue == "ok")
        }
        #expect(try await server.get("/api/v1/config").status == 200)
        let permissions = try await server.get("/api/v1/permissions")
        #expect(permissions.json?["role"]?.stringValue == "admin")
        #expect(permissions.json?["permissions"]?["load_plugins"]?.boolValue == true)
        #expect(permissions.json?["permissions"]?.objectValue?.count == 15)
        let nodes = try await server.get("/api/v1/schema/nodes")
        let kinds = nodes.json?.arrayValue?.compactMap { $0["kind"]?.stringValue } ?? []
        #expect(kinds.contains("audio::gain"))
        #expect(kinds.contains("streamkit::http_input"))
        let packets = try await server.get("/api/v1/schema/packets")
        #expect(packets.json?.arrayValue?.count == 7)
        let missing = try await server.get("/api/v1/nope")
        #expect(missing.status == 404)
        #expect(missing.errorCode == "not_found")
        #expect(permissions.headers["X-Content-Type-Options"].first == "nosniff")
    }

    @Test func sessionsLifecycleOverHTTP() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let yaml = "mode: dynamic\nnodes:\n  tone: {kind: audio::tone, params: {duration_ms: 0}}\n  pace: {kind: audio::pacer, needs: tone}\n  gain: {kind: audio::gain, needs: pace}\n  sink: {kind: core::sink, needs: gain}\n"
        let created = try await server.postJSON("/api/v1/sessions", ["name": "demo", "yaml": .string(yaml)])
        #expect(created.status == 200, "\(created.text)")
        let id = try #require(created.json?["session_id"]?.stringValue)
        #expect(created.json?["name"]?.stringValue == "demo")

        let taken = try await server.postJSON("/api/v1/sessions", ["name": "demo", "yaml": .string(yaml)])
        #expect(taken.status == 409)
        #expect(taken.errorCode == "conflict")

        let list = try await server.get("/api/v1/sessions")
        #expect(list.json?.arrayValue?.compactMap { $0["id"]?.stringValue } == [id])

        // The pipeline shows live states; wait until the nodes run.
        var running = false
        for _ in 0..<200 where !running {
            let pipeline = try await server.get("/api/v1/sessions/demo/pipeline")
            running = pipeline.json?["nodes"]?["gain"]?["state"]?.stringValue == "Running"
            if !running { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(running)

        let destroyed = try await server.request(.DELETE, "/api/v1/sessions/\(id)")
        #expect(destroyed.json?["session_id"]?.stringValue == id)
        #expect(try await server.request(.DELETE, "/api/v1/sessions/\(id)").status == 404)
        #expect(try await server.get("/api/v1/sessions").json?.arrayValue?.isEmpty == true)
    }

    @Test func invalidPipelinesListEveryProblem() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let bad = try await server.postJSON("/api/v1/sessions", ["yaml": "nodes:\n  a: {kind: audio::toon}\n  b: {kind: audio::gain, params: {gain: 9}}\n"])
        #expect(bad.status == 422)
        #expect(bad.errorCode == "invalid_pipeline")
        #expect(bad.json?["error"]?["issues"]?.arrayValue?.count == 2)
        let yamlError = try await server.postJSON("/api/v1/sessions", ["yaml": "steps: [\n"])
        #expect(yamlError.status == 400)
        let notJSON = try await server.request(.POST, "/api/v1/sessions", headers: [("Content-Type", "application/json")], body: Array("{".utf8))
        #expect(notJSON.status == 400)
        #expect(notJSON.errorCode == "invalid_json")
        let oneshotOnly = try await server.postJSON("/api/v1/sessions", ["yaml": "steps:\n  - kind: streamkit::http_input\n  - kind: core::sink\n"])
        #expect(oneshotOnly.status == 400)
        #expect(oneshotOnly.errorMessage?.contains("oneshot-only") == true)
    }

    @Test func processStreamsMediaThroughThePipeline() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let input: [Int16] = (0..<48_000).map { Int16(truncatingIfNeeded: ($0 % 200) * 50 - 5000) }
        let reply = try await server.process(yaml: gainPipeline, media: TestWAV.make(samples: input), mediaType: "audio/wav")
        #expect(reply.status == 200, "\(reply.text.prefix(300))")
        #expect(reply.headers["Content-Type"].first == "audio/wav")
        let output = TestWAV.samples(reply.body)
        #expect(output.count == input.count)
        #expect(zip(input, output).allSatisfy { Int($0.0) * 2 == Int($0.1) }, "every sample doubled")
        #expect(server.state.oneshotLimiter.inUse == 0)
    }

    @Test func processWithoutMediaRunsAGeneratedPipeline() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let reply = try await server.process(yaml: "steps:\n  - {kind: audio::tone, params: {duration_ms: 100, sample_rate: 8000}}\n  - {kind: containers::wav::muxer}\n  - {kind: streamkit::http_output}\n")
        #expect(reply.status == 200)
        #expect(TestWAV.samples(reply.body).count == 800)
    }

    @Test func processErrorsAreJSONWithTheRightStatus() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let notMultipart = try await server.request(.POST, "/api/v1/process", headers: [("Content-Type", "text/plain")], body: [1, 2, 3])
        #expect(notMultipart.status == 400)
        #expect(notMultipart.errorCode == "invalid_multipart")

        let wrongOrder = Multipart.body(parts: [("media", "audio/wav", [1, 2]), ("config", nil, Array(gainPipeline.utf8))])
        let ordered = try await server.request(.POST, "/api/v1/process", headers: [("Content-Type", wrongOrder.contentType)], body: wrongOrder.bytes)
        #expect(ordered.status == 400)
        #expect(ordered.errorMessage?.contains("'config' first") == true)

        let invalid = try await server.process(yaml: "steps:\n  - kind: audio::gian\n", media: [1])
        #expect(invalid.status == 400)
        #expect(invalid.errorMessage?.contains("did you mean 'audio::gain'") == true)

        let noInputNode = try await server.process(yaml: "steps:\n  - kind: audio::tone\n  - kind: containers::wav::muxer\n  - kind: streamkit::http_output\n", media: [1, 2, 3])
        #expect(noInputNode.status == 400)
        #expect(noInputNode.errorMessage?.contains("streamkit::http_input") == true)

        let noOutput = try await server.process(yaml: "steps:\n  - kind: streamkit::http_input\n  - kind: core::sink\n", media: [1])
        #expect(noOutput.status == 400)
        #expect(noOutput.errorMessage?.contains("streamkit::http_output") == true)
    }

    @Test func aFailingRunEndsWithAnErrorTrailer() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        // Not a WAV: the demuxer fails; the client must be able to tell this from a complete response.
        let reply = try await server.process(yaml: gainPipeline, media: Array(repeating: 7, count: 50_000))
        #expect(reply.status == 200)
        #expect(reply.headers.first(name: "trailer") == "skit-error")
        let failure = reply.trailers?.first(name: "skit-error").flatMap { try? JSONValue.parse($0) }
        #expect(failure?["error"]?["code"]?.stringValue == "pipeline_failed")
        #expect(failure?["error"]?["message"]?.stringValue?.contains("containers::wav::demuxer") == true, "\(String(describing: failure))")
        // A clean run carries no such trailer.
        let clean = try await server.process(yaml: gainPipeline, media: TestWAV.make(samples: [1, 2, 3, 4]))
        #expect(clean.status == 200)
        #expect(clean.trailers?.first(name: "skit-error") == nil)
        #expect(server.state.oneshotLimiter.inUse == 0)
    }

    @Test func bodyLimitIsEnforcedOnProcess() async throws {
        let server = try await TestServer.start { $0.server.maxBodySize = 64 * 1024 }
        defer { Task { await server.stop() } }
        let big = TestWAV.make(samples: [Int16](repeating: 1, count: 100_000))
        // Either a JSON 413 arrives before the upload finishes, or the server closes the connection.
        do {
            let reply = try await server.process(yaml: gainPipeline, media: big, mediaType: "audio/wav")
            #expect(reply.status == 413 || reply.status == 200 && TestWAV.samples(reply.body).count < 100_000, "status \(reply.status)")
            if reply.status == 413 { #expect(reply.errorCode == "too_large") }
        } catch {
            // The server refused the rest of the body.
        }
        let oversizedJSON = try await server.postJSON("/api/v1/sessions", ["yaml": .string(String(repeating: "#", count: 100_000))])
        #expect(oversizedJSON.status == 413)
        #expect(server.state.oneshotLimiter.inUse == 0)
    }

    @Test func concurrentOneshotLimitAnswers503WithRetryAfter() async throws {
        let server = try await TestServer.start { $0.permissions.maxConcurrentOneshots = 1 }
        defer { Task { await server.stop() } }
        // A slow oneshot (1.5 s of paced audio) holds the only slot.
        let slow = "steps:\n  - {kind: audio::tone, params: {duration_ms: 1500, sample_rate: 8000}}\n  - {kind: audio::pacer, params: {generate_silence: false}}\n  - {kind: containers::wav::muxer}\n  - {kind: streamkit::http_output}\n"
        let first = Task { try await server.process(yaml: slow) }
        var busy: TestServer.Reply?
        for _ in 0..<100 {
            if server.state.oneshotLimiter.inUse == 1 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        busy = try await server.process(yaml: slow)
        #expect(busy?.status == 503)
        #expect(busy?.headers["Retry-After"].first == "1")
        #expect(busy?.errorCode == "busy")
        let done = try await first.value
        #expect(done.status == 200)
        #expect(TestWAV.samples(done.body).count == 12_000)
    }

    @Test func manyConcurrentOneshotsAreAllCorrect() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let replies = try await withThrowingTaskGroup(of: (Int, [Int16]).self) { group in
            for index in 0..<24 {
                group.addTask {
                    let input: [Int16] = (0..<4_000).map { Int16(truncatingIfNeeded: $0 * 3 + index) }
                    let reply = try await server.process(yaml: gainPipeline, media: TestWAV.make(samples: input), mediaType: "audio/wav")
                    let ok = reply.status == 200 && TestWAV.samples(reply.body) == input.map { Int16(clamping: Int($0) * 2) }
                    return (ok ? 1 : 0, [])
                }
            }
            var correct = 0
            for try await (ok, _) in group { correct += ok }
            return correct
        }
        #expect(replies == 24)
        #expect(server.state.oneshotLimiter.inUse == 0)
    }

    @Test func aClientThatDisconnectsCancelsThePipeline() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        // An endless tone: only the client going away can end it.
        let endless = "steps:\n  - {kind: audio::tone, params: {duration_ms: 0}}\n  - {kind: containers::wav::muxer}\n  - {kind: streamkit::http_output}\n"
        let multipart = Multipart.body(parts: [("config", nil, Array(endless.utf8))])
        var request = HTTPClientRequest(url: server.baseURL + "/api/v1/process")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: multipart.contentType)
        request.body = .bytes(ByteBuffer(bytes: multipart.bytes))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(response.status == .ok)
        var received = 0
        for try await chunk in response.body {
            received += chunk.readableBytes
            if received > 200_000 { break }
        }
        #expect(received > 200_000)
        // Leaving the loop drops the body stream; the server must notice and free the slot.
        var freed = false
        for _ in 0..<500 where !freed {
            freed = server.state.oneshotLimiter.inUse == 0
            if !freed { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(freed, "the oneshot slot is released when the client goes away")
    }

    @Test func foreignOriginsCannotChangeState() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let yaml = "nodes:\n  a: {kind: audio::tone}\n  b: {kind: core::sink, needs: a}\n"
        let refused = try await server.postJSON("/api/v1/sessions", ["yaml": .string(yaml)], headers: [("Origin", "https://evil.example")])
        #expect(refused.status == 403)
        #expect(refused.errorMessage?.contains("allowed_origins") == true)
        let allowed = try await server.postJSON("/api/v1/sessions", ["yaml": .string(yaml)], headers: [("Origin", "http://localhost:5173")])
        #expect(allowed.status == 200)
        #expect(allowed.headers["Access-Control-Allow-Origin"].first == "http://localhost:5173")
        let readOnly = try await server.get("/api/v1/sessions", headers: [("Origin", "https://evil.example")])
        #expect(readOnly.status == 200)
        #expect(readOnly.headers["Access-Control-Allow-Origin"].isEmpty)
    }

    @Test func originGuardAlsoCoversTheBasePath() async throws {
        let server = try await TestServer.start { $0.server.basePath = "/s/demo" }
        defer { Task { await server.stop() } }
        #expect(try await server.get("/s/demo/healthz").status == 200)
        let refused = try await server.postJSON("/s/demo/api/v1/sessions", ["yaml": "nodes:\n  a: {kind: core::sink}\n"], headers: [("Origin", "https://evil.example")])
        #expect(refused.status == 403)
    }

    @Test func permissionMatrixForARestrictedRole() async throws {
        let server = try await TestServer.start(environment: ["SK_ROLE": "viewer"]) { configuration in
            var viewer = RolePermissions()
            viewer.listSessions = true
            viewer.allowedNodes = ["audio::*", "core::sink"]
            configuration.permissions.roles["viewer"] = viewer
        }
        defer { Task { await server.stop() } }
        let permissions = try await server.get("/api/v1/permissions")
        #expect(permissions.json?["role"]?.stringValue == "viewer")
        #expect(permissions.json?["permissions"]?["create_sessions"]?.boolValue == false)
        let create = try await server.postJSON("/api/v1/sessions", ["yaml": "nodes:\n  a: {kind: core::sink}\n"])
        #expect(create.status == 403)
        #expect(create.errorMessage == "Permission denied: cannot create sessions")
        let process = try await server.process(yaml: gainPipeline, media: [1])
        #expect(process.status == 403)
        #expect(try await server.get("/api/v1/sessions").status == 200)
        let kinds = try await server.get("/api/v1/schema/nodes").json?.arrayValue?.compactMap { $0["kind"]?.stringValue } ?? []
        #expect(kinds.contains("audio::gain"))
        #expect(!kinds.contains("core::file_writer"), "node listings follow the allowlist")
    }

    @Test func theUserRoleCannotWriteFilesEvenInOneshotRuns() async throws {
        let server = try await TestServer.start { $0.permissions.defaultRole = "user" }
        defer { Task { await server.stop() } }
        let writer = "mode: oneshot\nnodes:\n  in: {kind: streamkit::http_input}\n  w: {kind: core::file_writer, params: {path: /tmp/streamkit-should-not-exist}, needs: in}\n  out: {kind: streamkit::http_output, needs: in}\n"
        let reply = try await server.process(yaml: writer, media: [1, 2, 3])
        #expect(reply.status == 403)
        #expect(reply.errorMessage?.contains("core::file_writer") == true)
        // A reader outside allowed_file_paths is refused even when media is uploaded (the original skipped this check).
        let reader = "mode: oneshot\nnodes:\n  in: {kind: streamkit::http_input}\n  r: {kind: core::file_reader, params: {path: /etc/passwd}}\n  out: {kind: streamkit::http_output, needs: r}\n  sink: {kind: core::sink, needs: in}\n"
        let readReply = try await server.process(yaml: reader, media: [1])
        #expect(readReply.status == 400 || readReply.status == 403)
        #expect(readReply.text.contains("/etc/passwd"))
    }

    @Test func metricsAreServedInPrometheusFormat() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        _ = try await server.get("/healthz")
        _ = try await server.postJSON("/api/v1/sessions", ["yaml": "nodes:\n  a: {kind: audio::tone, params: {duration_ms: 0}}\n  p: {kind: audio::pacer, needs: a}\n  b: {kind: core::sink, needs: p}\n"])
        var metrics = ""
        for _ in 0..<100 {
            metrics = try await server.get("/metrics").text
            if metrics.contains("skit_node_packets{direction=\"received\"} ") && !metrics.contains("skit_node_packets{direction=\"received\"} 0") { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(metrics.contains("skit_sessions_active 1"))
        #expect(metrics.contains("skit_http_requests_total"))
        #expect(metrics.contains("skit_plugins_loaded"))
        #expect(metrics.contains("skit_nodes_active 3"))
    }
}
