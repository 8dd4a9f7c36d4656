import Foundation
import Hummingbird
import NIOCore
import StreamKitCore
@testable import StreamKitServer
import Synchronization
import Testing

/// `core::script` inside the server: `[script]` secrets and allowlist, validation at session creation,
/// and a stuck script that does not hold up another session.
@Suite("core::script in the server")
struct ScriptServerTests {
    static let shout = """
        mode: oneshot
        steps:
          - kind: streamkit::http_input
          - kind: core::text_chunker
            params: {split_mode: words, chunk_words: 1}
          - kind: core::script
            params:
              script: |
                function process(packet) { return { type: 'Text', data: packet.data.toUpperCase() }; }
          - kind: core::json_serialize
            params: {newline_delimited: true}
          - kind: streamkit::http_output
            params: {content_type: application/x-ndjson}
        """

    @Test func oneshotRunsAScript() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let reply = try await server.process(yaml: Self.shout, media: Array("hello scripted world".utf8), mediaType: "text/plain")
        #expect(reply.status == 200, "\(reply.text)")
        #expect(reply.text.contains("HELLO") && reply.text.contains("SCRIPTED") && reply.text.contains("WORLD"))
    }

    @Test func syntaxErrorFailsSessionCreationNamingTheLine() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let yaml = """
            mode: dynamic
            nodes:
              script:
                kind: core::script
                params:
                  script: "function process(p) {\\n  return p;\\n}\\nlet x = ;\\n"
            """
        let created = try await server.postJSON("/api/v1/sessions", ["yaml": .string(yaml)])
        #expect(created.status == 422, "\(created.text)")
        #expect(created.text.contains("SyntaxError") && created.text.contains("line 4"), "\(created.text)")
    }

    @Test func secretGoesOnlyIntoTheHeader() async throws {
        let secret = "sk-server-\(UUID().uuidString)"
        let seen = Mutex<[String]>([])
        let router = Router()
        router.post("/v1/chat/completions") { request, _ -> String in
            seen.withLock { $0.append(request.headers[.authorization] ?? "") }
            return #"{"choices":[{"message":{"content":"fine"}}]}"#
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let upstream = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0); continuation.finish() }
        )
        let upstreamTask = Task { try await upstream.runService() }
        defer { upstreamTask.cancel() }
        var portIterator = ports.makeAsyncIterator()
        let port = try #require(await portIterator.next())
        let base = "http://127.0.0.1:\(port)"

        let server = try await TestServer.start(environment: ["SKIT_TEST_LLM_KEY": secret]) { configuration in
            configuration.script.secrets["llm"] = .init(env: "SKIT_TEST_LLM_KEY", type: .token)
            configuration.script.globalFetchAllowlist = [.init(url: base + "/v1/*", methods: ["POST"])]
        }
        defer { Task { await server.stop() } }
        let yaml = Self.shout.replacingOccurrences(
            of: "function process(packet) { return { type: 'Text', data: packet.data.toUpperCase() }; }",
            with: "async function process(packet) { const r = await fetch('\(base)/v1/chat/completions', {method: 'POST', body: {q: packet.data}}); const j = await r.json(); return { type: 'Text', data: j.choices[0].message.content + ' ' + JSON.stringify(globalThis) }; }"
        ).replacingOccurrences(of: "    params:\n      script: |", with: "    params:\n      timeout_ms: 5000\n      headers: [{secret: llm, header: Authorization, template: 'Bearer {}'}]\n      script: |")
        let reply = try await server.process(yaml: yaml, media: Array("one two".utf8), mediaType: "text/plain")
        #expect(reply.status == 200, "\(reply.text)")
        #expect(reply.text.contains("fine"))
        #expect(seen.withLock { $0 } == ["Bearer \(secret)", "Bearer \(secret)"])
        #expect(!reply.text.contains(secret))
        let config = try await server.get("/api/v1/config")
        #expect(config.status == 200)
        #expect(!config.text.contains(secret))
    }

    @Test func endlessLoopDoesNotHoldUpAnotherSession() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let looping = Self.shout.replacingOccurrences(
            of: "function process(packet) { return { type: 'Text', data: packet.data.toUpperCase() }; }",
            with: "function process(packet) { if (packet.data === 'spin') { while (true) {} } return packet; }"
        ).replacingOccurrences(of: "    params:\n      script: |", with: "    params:\n      timeout_ms: 300\n      script: |")
        let started = ContinuousClock.now
        let stuck = Task { () -> (TestServer.Reply, ContinuousClock.Instant) in
            let reply = try await server.process(yaml: looping, media: Array("spin spin spin".utf8), mediaType: "text/plain")
            return (reply, ContinuousClock.now)
        }
        // Meanwhile another run completes, before the stuck one (which needs at least 3 × 300 ms).
        let other = try await server.process(yaml: Self.shout, media: Array("still here".utf8), mediaType: "text/plain")
        let otherDoneAt = ContinuousClock.now
        #expect(other.text.contains("STILL"))
        let (result, stuckDoneAt) = try await stuck.value
        let elapsed = stuckDoneAt - started
        #expect(otherDoneAt < stuckDoneAt, "the other run waited for the stuck one")
        #expect(result.status == 200)
        #expect(result.text.components(separatedBy: "spin").count - 1 == 3, "every packet passes through: \(result.text)")
        // Three packets, each stopped at 300 ms: within 2 × 300 ms each.
        #expect(elapsed < .milliseconds(3 * 600), "took \(elapsed)")
    }
}
