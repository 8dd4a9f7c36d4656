import Foundation
import Hummingbird
import StreamKitCore
import Testing
@testable import StreamKitScript

@Suite("core::script fetch")
struct ScriptFetchTests {
    static func withServer<T>(_ body: (LocalHTTPServer) async throws -> T) async throws -> T {
        let server = try await LocalHTTPServer.start { router in
            router.post("/v1/chat/completions") { request, _ -> Response in
                let reply = #"{"choices":[{"message":{"role":"assistant","content":"It is sunny."}}]}"#
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: reply)))
            }
            router.get("/fact") { _, _ in "Honey never spoils." }
            router.get("/moved") { _, _ in Response(status: .found, headers: [.location: "http://127.0.0.1:1/elsewhere"]) }
        }
        do {
            let value = try await body(server)
            await server.stop()
            return value
        } catch {
            await server.stop()
            throw error
        }
    }

    static let chatScript = """
        let turns = 0;
        async function process(packet) {
          if (packet.type !== 'Text') return packet;
          turns += 1;
          const span = telemetry.startSpan('agent.turn', { turn: turns });
          const response = await fetch(globalThis.BASE + '/v1/chat/completions', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: { model: 'test', messages: [{ role: 'user', content: packet.data }] },
          });
          const json = await response.json();
          telemetry.endSpan(span, { status: response.status });
          return { type: 'Text', data: turns + ': ' + json.choices[0].message.content };
        }
        """

    @Test func asyncProcessAwaitsFetchToALocalServer() async throws {
        try await Self.withServer { server in
            let settings = ScriptSettings(fetchAllowlist: [.init(url: server.baseURL + "/v1/*", methods: ["POST"])])
            let node = try ScriptNodeTests.script("globalThis.BASE = '\(server.baseURL)';\n" + Self.chatScript, ["timeout_ms": 5000], settings: settings)
            let (outputs, harness) = try await ScriptHarness.run(node, [.text("Weather?"), .text("And tomorrow?")])
            #expect(outputs.compactMap(\.text) == ["1: It is sunny.", "2: It is sunny."])
            let requests = server.requests
            #expect(requests.count == 2)
            #expect(requests.first?.method == "POST")
            #expect(requests.first?.body.contains("Weather?") == true)
            #expect(harness.telemetryEvents.filter { $0.eventType == "agent.turn" }.count == 2)
        }
    }

    @Test func fetchOutsideTheAllowlistIsRejectedNamingTheAllowlist() async throws {
        try await Self.withServer { server in
            let settings = ScriptSettings(fetchAllowlist: [.init(url: server.baseURL + "/fact", methods: ["GET"])])
            let node = try ScriptNodeTests.script("""
                async function process(packet) {
                  try {
                    const response = await fetch('\(server.baseURL)' + packet.data.split(' ')[1], { method: packet.data.split(' ')[0] });
                    return { type: 'Text', data: 'ok ' + response.status + ' ' + await response.text() };
                  } catch (error) {
                    return { type: 'Text', data: 'refused: ' + error.message };
                  }
                }
                """, ["timeout_ms": 5000], settings: settings)
            let (outputs, _) = try await ScriptHarness.run(node, [.text("GET /fact"), .text("POST /fact"), .text("GET /v1/chat/completions"), .text("GET /moved")])
            let texts = outputs.compactMap(\.text)
            #expect(texts.count == 4)
            #expect(texts.first == "ok 200 Honey never spoils.")
            #expect(texts[1].hasPrefix("refused: fetch: POST \(server.baseURL)/fact is not allowed: [[script.global_fetch_allowlist]]"))
            #expect(texts[2].contains("GET \(server.baseURL)/v1/chat/completions is not allowed: [[script.global_fetch_allowlist]] allows: GET \(server.baseURL)/fact"))
            #expect(texts[3].hasPrefix("refused:"))
            // Only the allowed request reached the server.
            #expect(server.requests.map(\.path) == ["/fact"])
        }
    }

    @Test func emptyAllowlistBlocksEveryFetch() async throws {
        let node = try ScriptNodeTests.script("""
            async function process(packet) {
              try { await fetch('http://127.0.0.1:9/x'); return packet; } catch (error) { return { type: 'Text', data: error.message }; }
            }
            """)
        let (outputs, _) = try await ScriptHarness.run(node, [.text("x")])
        #expect(outputs.first?.text?.contains("[[script.global_fetch_allowlist]] is empty, so every fetch is blocked") == true)
    }

    @Test func redirectsAreNotFollowed() async throws {
        try await Self.withServer { server in
            let settings = ScriptSettings(fetchAllowlist: [.init(url: server.baseURL + "/*", methods: ["GET"])])
            let node = try ScriptNodeTests.script("""
                async function process(packet) {
                  const response = await fetch('\(server.baseURL)/moved');
                  return { type: 'Text', data: response.status + ' ' + response.headers.get('Location') };
                }
                """, ["timeout_ms": 5000], settings: settings)
            let (outputs, _) = try await ScriptHarness.run(node, [.text("x")])
            #expect(outputs.first?.text == "302 http://127.0.0.1:1/elsewhere")
        }
    }

    @Test func secretReachesOnlyTheHeaderAtTheServer() async throws {
        let secret = "sk-test-\(UUID().uuidString)"
        let log = CapturedLog()
        try await Self.withServer { server in
            let settings = ScriptSettings(
                fetchAllowlist: [.init(url: server.baseURL + "/v1/*", methods: ["POST"])],
                secrets: ["openai": .init(value: secret, environmentVariable: "OPENAI_API_KEY")],
                logger: log.logger
            )
            let probe = """
                globalThis.BASE = '\(server.baseURL)';
                function everything() {
                  const seen = [];
                  for (const name of Object.getOwnPropertyNames(globalThis)) { try { seen.push(name + '=' + String(globalThis[name])); } catch (e) {} }
                  return seen.join(';');
                }
                """
            let node = try ScriptNodeTests.script(probe + Self.chatScript.replacingOccurrences(
                of: "const json = await response.json();",
                with: "const json = await response.json(); console.log('globals', everything()); telemetry.emit('probe', { globals: everything() }); if (packet.data === 'fail') throw new Error('failing on purpose ' + everything());"
            ), ["timeout_ms": 5000, "headers": [["secret": "openai", "header": "Authorization", "template": "Bearer {}"]]], settings: settings)
            let (outputs, harness) = try await ScriptHarness.run(node, [.text("hello"), .text("fail")])
            let requests = server.requests
            #expect(requests.count == 2)
            #expect(requests.allSatisfy { request in request.headers.contains { $0.0.lowercased() == "authorization" && $0.1 == "Bearer \(secret)" } })
            // Nowhere else: outputs, telemetry, logs (errors included).
            let outputText = outputs.map { "\($0)" }.joined()
            let telemetryText = harness.telemetryEvents.map { "\($0.data.jsonString())" }.joined()
            #expect(!outputText.contains(secret))
            #expect(!telemetryText.contains(secret))
            #expect(!log.text.contains(secret))
            #expect(log.text.contains("failing on purpose"))
            #expect(!"\(settings)".contains(secret))
        }
    }

    @Test func unknownSecretFailsNodeCreation() throws {
        #expect {
            _ = try ScriptNodeTests.script("function process(p) { return p; }", ["headers": [["secret": "nope", "header": "Authorization"]]])
        } throws: { error in "\(error)".contains("no secret 'nope' in [script.secrets]") }
    }
}

extension ScriptFetchTests {
    /// samples/scripts/voice_agent.js against a local OpenAI-compatible endpoint: transcription in, reply text out, spans per turn.
    @Test func voiceAgentScriptAnswersATranscription() async throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("samples/scripts/voice_agent.js").path
        try await Self.withServer { server in
            let url = server.baseURL + "/v1/chat/completions"
            let settings = ScriptSettings(
                fetchAllowlist: [.init(url: url, methods: ["POST"])],
                secrets: ["openai": .init(value: "sk-local", environmentVariable: "OPENAI_API_KEY")]
            )
            let node = try makeNode(ScriptNode.definition(settings: settings), [
                "script_path": .string(path), "timeout_ms": 5000, "output_type": "Text",
                "vars": ["chat_url": .string(url), "model": "local"],
                "headers": [["secret": "openai", "header": "Authorization", "template": "Bearer {}"]],
            ])
            let (outputs, harness) = try await ScriptHarness.run(node, [.transcription(Transcription(text: "What is the weather?"))])
            #expect(outputs.compactMap(\.text) == ["It is sunny.\n"])
            #expect(server.requests.first?.body.contains("What is the weather?") == true)
            let types = harness.telemetryEvents.map(\.eventType)
            #expect(types == ["agent.turn.start", "agent.llm.start", "agent.llm", "agent.turn"])
        }
    }
}
