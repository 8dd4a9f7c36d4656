import Foundation
import AsyncHTTPClient
import HTTPTypes
import HummingbirdWSClient
import StreamKitClient
import StreamKitCLI
import Logging
import NIOCore
import StreamKitCore
import StreamKitEngine
@testable import StreamKitServer
import Synchronization
import Testing

/// Each way a client or a configuration once took the server down, tried again against a real server.
@Suite("Hardening: hostile clients and configurations", .serialized)
struct HardeningTests {
    // MARK: Alias bombs

    /// Anchors nesting `levels` deep, each a list of `fanout` aliases of the one before: 10⁸ values for 8 × 10.
    static func listBomb(levels: Int = 8, fanout: Int = 10) -> String {
        var lines = ["      x0: &x0 [" + Array(repeating: "lol", count: fanout).joined(separator: ", ") + "]"]
        for level in 1...levels {
            lines.append("      x\(level): &x\(level) [" + Array(repeating: "*x\(level - 1)", count: fanout).joined(separator: ", ") + "]")
        }
        lines.append("      junk: *x\(levels)")
        return "mode: oneshot\nsteps:\n  - kind: streamkit::http_input\n  - kind: core::passthrough\n    params:\n" + lines.joined(separator: "\n") + "\n  - kind: streamkit::http_output\n"
    }

    /// The same growth through mappings, merge keys and aliases used as keys.
    static func mappingBomb(levels: Int = 8, fanout: Int = 10) -> String {
        var lines = ["m0: &m0 {a: lol}"]
        for level in 1...levels {
            let entries = (0..<fanout).map { "k\($0): *m\(level - 1)" }.joined(separator: ", ")
            lines.append("m\(level): &m\(level) {<<: *m\(level - 1), \(entries)}")
        }
        lines.append("? *m\(levels)\n: key")
        return lines.joined(separator: "\n") + "\nmode: oneshot\nsteps:\n  - kind: streamkit::http_input\n  - kind: streamkit::http_output\n"
    }

    /// Few values but much text: one 64 KiB scalar repeated through aliases.
    static func textBomb() -> String {
        let long = String(repeating: "a", count: 64 * 1024)
        var lines = ["t0: &t0 \(long)", "t1: &t1 [" + Array(repeating: "*t0", count: 40).joined(separator: ", ") + "]"]
        lines.append("t2: &t2 [" + Array(repeating: "*t1", count: 40).joined(separator: ", ") + "]")
        return lines.joined(separator: "\n") + "\nmode: oneshot\nsteps:\n  - kind: streamkit::http_input\n  - kind: streamkit::http_output\n"
    }

    @Test("alias bombs are refused with 400 through every entry point, and memory stays bounded")
    func aliasBombs() async throws {
        let samples = FileManager.default.temporaryDirectory.appendingPathComponent("skit-bomb-samples-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: samples, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: samples) }
        let server = try await TestServer.start { $0.server.samplesDir = samples.path }
        defer { Task { await server.stop() } }
        let before = residentBytes()
        for bomb in [Self.listBomb(), Self.listBomb(levels: 12, fanout: 4), Self.mappingBomb(), Self.textBomb()] {
            let created = try await server.postJSON("/api/v1/sessions", ["yaml": .string(bomb)])
            #expect(created.status == 400)
            #expect(created.errorMessage?.contains("through its aliases") == true, "\(created.text)")
            let issues = created.json?["error"]?["issues"]?.arrayValue ?? []
            #expect(issues.contains { $0["code"]?.stringValue == "document_too_large" })

            let processed = try await server.process(yaml: bomb, media: [1, 2, 3])
            #expect(processed.status == 400)
            #expect(processed.errorMessage?.contains("through its aliases") == true)

            let saved = try await server.postJSON("/api/v1/samples/oneshot", ["name": "bomb", "description": "", "yaml": .string(bomb)])
            #expect(saved.status == 400, "\(saved.text)")
            #expect(saved.text.contains("through its aliases"))
        }
        // A sample file already on disk is listed without being expanded.
        try Self.listBomb().write(to: samples.appendingPathComponent("bomb.yml"), atomically: true, encoding: .utf8)
        #expect(try await server.get("/api/v1/samples/oneshot").status == 200)
        let grown = residentBytes() - before
        #expect(grown < 150 * 1024 * 1024, "the server grew by \(grown / 1024 / 1024) MB")
        // Aliases used as meant still work.
        let reuse = "mode: oneshot\nsteps:\n  - kind: streamkit::http_input\n  - kind: audio::gain\n    params: &g {gain: 1.0}\n  - kind: audio::gain\n    params: *g\n  - kind: streamkit::http_output\n"
        #expect(throws: Never.self) { try PipelineParser.parse(reuse) }
    }

    @Test("documents nested beyond the limit are refused before any recursive reader sees them")
    func deepNesting() {
        for text in [String(repeating: "[", count: 200_000), String(repeating: "- ", count: 5_000) + "x", String(repeating: "{a: ", count: 100)] {
            let issue = #expect(throws: PipelineValidationError.self) { try PipelineParser.parse(text) }
            #expect(issue?.issues.contains { $0.code == "too_deep" || $0.code == "invalid_yaml" } == true, "\(String(describing: issue))")
        }
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let refused = #expect(throws: PipelineValidationError.self) { try PipelineParser.parse(deep) }
        #expect(refused?.issues.first?.code == "too_deep")
    }

    @Test("a deeply nested JSON message on the control plane is answered with an error and the connection goes on")
    func deepJSONOnTheWebSocket() async throws {
        let server = try await ControlTestServer.start()
        let client = try await ControlTestClient.connect(server.url())
        client.sendRaw(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000))
        let invalid = try await client.waitFor { $0["payload"]?["message"]?.stringValue?.hasPrefix("Invalid JSON") == true }
        #expect(invalid["payload"]?.has("action", "error") == true)
        client.sendRaw(#"{"type":"request","payload":{"action":"addnode","session_id":"x","node_id":"n","kind":"audio::gain","params":"# + String(repeating: "{\"a\":", count: 50_000) + "1" + String(repeating: "}", count: 50_000) + "}}")
        // Parsed or refused, it is answered (here: no such session) and the connection goes on.
        let answered = await ClientTestSupport.eventually { client.messages.filter { $0["payload"]?.has("action", "error") == true }.count >= 2 ? true : nil }
        #expect(answered == true, "\(client.messages.map { $0.jsonString().prefix(200) })")
        #expect(try await client.request(["action": "getpermissions"]).has("action", "permissions"))
        await client.close()
        await server.stop()
    }

    // MARK: Oneshot slots

    /// The head of a multipart oneshot request declaring `declared` bytes, up to the start of its media.
    static func oneshotHead(declared: Int, extraHeaders: String = "") -> [UInt8] {
        let boundary = "hardening-boundary"
        let parts = "--\(boundary)\r\nContent-Disposition: form-data; name=\"config\"\r\n\r\n\(ClientTestSupport.passthroughPipeline)\r\n"
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"media\"; filename=\"m.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        let head = "POST /api/v1/process HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=\(boundary)\r\n"
            + "Content-Length: \(declared)\r\n\(extraHeaders)\r\n"
        return Array((head + parts).utf8)
    }

    @Test("50 clients that reset mid-upload leave no oneshot slot taken, and the next oneshot runs")
    func abruptDisconnectsReleaseSlots() async throws {
        let server = try await TestServer.start { $0.permissions.maxConcurrentOneshots = 10 }
        defer { Task { await server.stop() } }
        for round in 0..<5 {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        guard let connection = try? await RawConnection.open(port: server.port) else { return }
                        await connection.send(Self.oneshotHead(declared: 90_000_000))
                        let megabytes = 1 + (round * 10 + index) % 8
                        await connection.send([UInt8](repeating: 0x55, count: megabytes * 1024 * 1024), timeout: .seconds(2))
                        connection.reset()
                    }
                }
            }
        }
        let released = await ClientTestSupport.eventually(timeout: .seconds(20)) { server.state.oneshotLimiter.inUse == 0 ? true : nil }
        #expect(released == true, "\(server.state.oneshotLimiter.inUse) slots still taken")
        let payload = (0..<100_000).map { UInt8(truncatingIfNeeded: $0) }
        let reply = try await server.process(yaml: ClientTestSupport.passthroughPipeline, media: payload)
        #expect(reply.status == 200)
        #expect(reply.body == payload)
    }

    @Test("a client that stops sending is closed after server.read_timeout_secs and its slot freed")
    func silentSenderTimesOut() async throws {
        let server = try await TestServer.start {
            $0.permissions.maxConcurrentOneshots = 1
            $0.server.readTimeoutSecs = 1
        }
        defer { Task { await server.stop() } }
        let connection = try await RawConnection.open(port: server.port)
        await connection.send(Self.oneshotHead(declared: 1_000_000) + [UInt8](repeating: 1, count: 1000))
        let started = ContinuousClock.now
        let (_, closed) = await connection.read(timeout: .seconds(15))
        #expect(closed, "the server kept a silent connection open")
        #expect(ContinuousClock.now - started < .seconds(10))
        connection.close()
        let released = await ClientTestSupport.eventually(timeout: .seconds(10)) { server.state.oneshotLimiter.inUse == 0 ? true : nil }
        #expect(released == true)
        #expect(try await server.process(yaml: ClientTestSupport.passthroughPipeline, media: [1, 2, 3]).status == 200)
    }

    @Test("a client that never reads its response is closed after server.write_timeout_secs and its slot freed")
    func nonReadingClientTimesOut() async throws {
        let server = try await TestServer.start {
            $0.permissions.maxConcurrentOneshots = 1
            $0.server.writeTimeoutSecs = 1
        }
        defer { Task { await server.stop() } }
        let connection = try await RawConnection.open(port: server.port)
        let media = [UInt8](repeating: 7, count: 32 * 1024 * 1024)
        let tail = Array("\r\n--hardening-boundary--\r\n".utf8)
        let head = Self.oneshotHead(declared: 0)
        let bodyLength = head.count - (head.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound ?? 0) + media.count + tail.count
        await connection.send(Self.oneshotHead(declared: bodyLength))
        // The server echoes what it reads; with nobody reading, both directions stall.
        await connection.send(media + tail, timeout: .seconds(3))
        let released = await ClientTestSupport.eventually(timeout: .seconds(20)) { server.state.oneshotLimiter.inUse == 0 ? true : nil }
        #expect(released == true, "the stalled response still holds its slot")
        connection.close()
        #expect(try await server.process(yaml: ClientTestSupport.passthroughPipeline, media: [1, 2, 3]).status == 200)
    }

    // MARK: Declared and mid-response failures

    @Test("a declared body over server.max_body_size is refused with 413 before any of it is read")
    func oversizedDeclaredBody() async throws {
        let server = try await TestServer.start { $0.server.maxBodySize = 1024 * 1024 }
        defer { Task { await server.stop() } }
        let connection = try await RawConnection.open(port: server.port)
        defer { connection.close() }
        // Only the head is sent: an answer proves nothing of the body was waited for.
        await connection.send(Array(("POST /api/v1/process HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 300000000\r\nExpect: 100-continue\r\n\r\n").utf8))
        let head = await connection.readHead()
        #expect(head.hasPrefix("HTTP/1.1 413"), "\(head)")
        #expect(!head.contains("100 Continue"))
    }

    @Test("a oneshot that fails after its first byte ends with a skit-error trailer, and skit-cli process fails")
    func failureAfterTheFirstByte() async throws {
        let server = try await TestServer.start { $0.server.maxBodySize = 256 * 1024 }
        defer { Task { await server.stop() } }
        // Sent chunked (no Content-Length), so the limit is only met mid-stream, after output went out.
        let multipart = Multipart.body(parts: [("config", nil, Array(ClientTestSupport.passthroughPipeline.utf8)), ("media", "application/octet-stream", [UInt8](repeating: 3, count: 1024 * 1024))])
        var request = HTTPClientRequest(url: server.baseURL + "/api/v1/process")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: multipart.contentType)
        let chunks = stride(from: 0, to: multipart.bytes.count, by: 16 * 1024).map { ByteBuffer(bytes: multipart.bytes[$0..<min($0 + 16 * 1024, multipart.bytes.count)]) }
        request.body = .stream(chunks.async, length: .unknown)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(response.status == .ok)
        var received = 0
        for try await chunk in response.body { received += chunk.readableBytes }
        #expect(received > 0, "the failure should come after some output")
        let trailer = response.body.trailers?.first(name: "skit-error")
        let error = trailer.flatMap { try? JSONValue.parse($0) }?["error"]
        #expect(error?["code"]?.stringValue == "too_large", "\(String(describing: trailer))")
        #expect(error?["message"]?.stringValue?.contains("server.max_body_size") == true)

        let directory = try ClientTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pipeline = directory.appendingPathComponent("pass.yml")
        let input = directory.appendingPathComponent("in.bin")
        try ClientTestSupport.passthroughPipeline.write(to: pipeline, atomically: true, encoding: .utf8)
        try Data(repeating: 3, count: 1024 * 1024).write(to: input)
        let cliError = await #expect(throws: StreamKitClientError.self) {
            try await SkitCLI.run(arguments: ["--server", server.baseURL, "process", pipeline.path, "-i", input.path, "-o", directory.appendingPathComponent("out.bin").path, "-q"])
        }
        // A Content-Length upload over the limit is refused up front (413); either way the command fails with the reason.
        #expect(cliError?.description.contains("max_body_size") == true, "\(String(describing: cliError))")
    }

    // MARK: Connections

    @Test("connections over server.max_connections_per_address are answered 503 and closed; WebSockets count too")
    func connectionCap() async throws {
        let server = try await TestServer.start { $0.server.maxConnectionsPerAddress = 4 }
        defer { Task { await server.stop() } }
        var held: [RawConnection] = []
        for _ in 0..<3 {
            let connection = try await RawConnection.open(port: server.port)
            await connection.send(Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
            #expect(await connection.readHead().hasPrefix("HTTP/1.1 200"))
            held.append(connection)
        }
        // The fourth place goes to a control-plane WebSocket.
        let control = try await ControlTestClient.connect("ws://127.0.0.1:\(server.port)/api/v1/control")
        #expect(server.state.connections.open == 4)
        let extra = try await RawConnection.open(port: server.port)
        await extra.send(Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
        let refused = await extra.read(timeout: .seconds(10))
        let text = String(decoding: refused.bytes, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 503"), "\(text)")
        #expect(text.contains("server.max_connections_per_address"))
        #expect(refused.closed)
        extra.close()
        #expect(server.state.connections.open == 4)
        await control.close()
        for connection in held { connection.close() }
        let drained = await ClientTestSupport.eventually { server.state.connections.open == 0 ? true : nil }
        #expect(drained == true)
        #expect(try await server.get("/healthz").status == 200)
    }

    // MARK: Roles

    @Test("an undefined role and duplicate role headers are refused with 403; the fallback needs its setting")
    func unknownAndDuplicateRoles() async throws {
        let server = try await TestServer.start { $0.permissions.roleHeader = "x-role" }
        defer { Task { await server.stop() } }
        let unknown = try await server.get("/api/v1/sessions", headers: [("x-role", "nosuchrole")])
        #expect(unknown.status == 403)
        #expect(unknown.errorMessage == "Permission denied: role 'nosuchrole' is not defined (permissions.roles)")
        let delete = try await server.request(.DELETE, "/api/v1/plugins/plugin::native::x", headers: [("x-role", "nosuchrole")])
        #expect(delete.status == 403)
        let twice = try await server.get("/api/v1/permissions", headers: [("x-role", "user"), ("x-role", "admin")])
        #expect(twice.status == 403)
        #expect(twice.errorMessage?.contains("more than once") == true)
        #expect(try await server.get("/api/v1/permissions", headers: [("x-role", "user")]).json?["role"]?.stringValue == "user")

        // The control plane closes a refused caller's socket at once, answering nothing.
        let control = try await ControlTestClient.connect("ws://127.0.0.1:\(server.port)/api/v1/control", headers: [HTTPField.Name("x-role")!: "nosuchrole"], paused: true)
        control.send(["action": "getpermissions"])
        control.startReading()
        #expect(await control.waitUntilClosed())
        #expect(control.messages.isEmpty)
        await control.close()

        let lenient = try await TestServer.start {
            $0.permissions.roleHeader = "x-role"
            $0.permissions.defaultRole = "user"
            $0.permissions.unknownRoleFallback = true
        }
        defer { Task { await lenient.stop() } }
        let fallback = try await lenient.get("/api/v1/permissions", headers: [("x-role", "nosuchrole")])
        #expect(fallback.status == 200)
        #expect(fallback.json?["permissions"]?["load_plugins"]?.boolValue == false)
    }

    // MARK: File paths

    @Test("non-admin roles get one message for every refused path, revealing nothing beyond the path sent")
    func pathRefusalsRevealNothing() async throws {
        let server = try await TestServer.start { $0.permissions.defaultRole = "user" }
        defer { Task { await server.stop() } }
        func refusal(_ path: String) async throws -> String {
            let yaml = "mode: oneshot\nnodes:\n  r: {kind: core::file_reader, params: {path: \(path)}}\n  out: {kind: streamkit::http_output, needs: r}\n"
            let reply = try await server.process(yaml: yaml)
            #expect(reply.status == 400)
            return reply.errorMessage ?? ""
        }
        let existing = try await refusal("/etc/passwd")
        #expect(existing == "Invalid file path in node 'r': path '/etc/passwd' is not allowed (it must name a file under security.allowed_file_paths)")
        let cwd = FileManager.default.currentDirectoryPath
        // Existing, missing, a directory, a traversal, a link into /proc: the same words around the path sent.
        for path in ["/etc/shadow", "/etc/no-such-file-\(UUID().uuidString)", "/etc", "../../../etc/passwd", "/proc/self/cwd/x", "/proc/self/exe"] {
            let message = try await refusal(path)
            #expect(message.replacingOccurrences(of: path, with: "/etc/passwd") == existing, "\(message)")
            #expect(!message.contains(cwd))
            #expect(!message.contains("\(ProcessInfo.processInfo.processIdentifier)"))
        }
        let admin = try await TestServer.start()
        defer { Task { await admin.stop() } }
        // Roles that may load plugins still see the full reason.
        let detailed = try await admin.process(yaml: "mode: oneshot\nnodes:\n  r: {kind: core::file_reader, params: {path: /etc/passwd}}\n  out: {kind: streamkit::http_output, needs: r}\n")
        #expect(detailed.errorMessage?.contains("outside allowed directories") == true)
    }
}

/// What one control client that never reads can make the server hold.
@Suite("Control outbox bounds")
struct ControlOutboxBoundTests {
    @Test("queued answers are bounded in bytes: large ones wait once 256 KiB are queued")
    func byteBound() async throws {
        let outbox = ControlOutbox(capacity: 64, byteCapacity: 256 * 1024)
        let answer = String(repeating: "x", count: 100 * 1024)
        let pushed = Atomic(0)
        let producer = Task {
            for _ in 0..<10 {
                guard await outbox.push(.text(answer)) else { return }
                pushed.add(1, ordering: .relaxed)
            }
        }
        // Two 100 KiB answers fit; the third waits for the writer.
        let filled = await ClientTestSupport.eventually { outbox.count == 2 ? true : nil }
        #expect(filled == true)
        #expect(pushed.load(ordering: .relaxed) == 2)
        _ = await outbox.next()
        let refilled = await ClientTestSupport.eventually { pushed.load(ordering: .relaxed) == 3 ? true : nil }
        #expect(refilled == true)
        #expect(outbox.count == 2)
        // A single answer larger than the budget still goes through an empty queue.
        let big = ControlOutbox(capacity: 64, byteCapacity: 1024)
        #expect(await big.push(.text(answer)))
        #expect(big.count == 1)
        outbox.finish()
        await producer.value
    }
}
