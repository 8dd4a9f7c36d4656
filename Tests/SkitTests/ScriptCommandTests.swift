import Foundation
import Hummingbird
import Synchronization
import Testing

/// `core::script` through the real `skit` binary: `run` (with and without `-c skit.toml`) and `validate`.
@Suite("skit and core::script")
struct ScriptCommandTests {
    @Test func runsTheShoutSample() async throws {
        let result = try await Skit.run(["run", "-q", Skit.repositoryRoot.appendingPathComponent("samples/scripts/shout.yml").path, "-i", "-", "-o", "-"],
                                        stdin: Array("hello scripted world".utf8))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("HELLO") && result.stdout.contains("SCRIPTED") && result.stdout.contains("WORLD"), "\(result.stdout)")
    }

    @Test func validateNamesTheLineOfASyntaxError() async throws {
        let scratch = try Scratch()
        let pipeline = try scratch.write("broken.yml", """
            mode: oneshot
            steps:
              - kind: streamkit::http_input
              - kind: core::script
                params:
                  script: |
                    function process(packet) {
                      return packet;
                    }
                    let x = ;
              - kind: streamkit::http_output
            """)
        let result = try await Skit.run(["validate", pipeline])
        #expect(result.status == 1)
        #expect(result.stderr.contains("SyntaxError") && result.stderr.contains("line 4"), "\(result.stderr)")
    }

    @Test func runReadsTheScriptSectionOfItsConfig() async throws {
        let received = Mutex<[String]>([])
        let router = Router()
        router.post("/v1/echo") { request, _ -> String in
            received.withLock { $0.append(request.headers[.authorization] ?? "none") }
            return "echoed"
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let upstream = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0); continuation.finish() }
        )
        let task = Task { try await upstream.runService() }
        defer { task.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let base = "http://127.0.0.1:\(port)"

        let scratch = try Scratch()
        let config = try scratch.write("skit.toml", """
            [[script.global_fetch_allowlist]]
            url = "\(base)/v1/*"
            methods = ["POST"]

            [script.secrets.echo]
            env = "SKIT_TEST_ECHO_KEY"
            """)
        let pipeline = try scratch.write("fetch.yml", """
            mode: oneshot
            steps:
              - kind: streamkit::http_input
              - kind: core::text_chunker
                params: {split_mode: words, chunk_words: 1}
              - kind: core::script
                params:
                  timeout_ms: 5000
                  headers: [{secret: echo, header: Authorization, template: "Key {}"}]
                  script: |
                    async function process(packet) {
                      const response = await fetch('\(base)/v1/echo', { method: 'POST', body: packet.data });
                      return { type: 'Text', data: packet.data + ':' + await response.text() };
                    }
              - kind: core::json_serialize
                params: {newline_delimited: true}
              - kind: streamkit::http_output
            """)
        let withConfig = try await Skit.run(["run", "-q", "-c", config, pipeline, "-i", "-", "-o", "-"],
                                            stdin: Array("ping".utf8), environment: ["SKIT_TEST_ECHO_KEY": "k-123"])
        #expect(withConfig.status == 0, "\(withConfig.stderr)")
        #expect(withConfig.stdout.contains("ping:echoed"), "\(withConfig.stdout)")
        #expect(received.withLock { $0 } == ["Key k-123"])

        // Without -c there is no secret: the node cannot be made.
        let withoutConfig = try await Skit.run(["run", "-q", pipeline, "-i", "-", "-o", "-"], stdin: Array("ping".utf8))
        #expect(withoutConfig.status != 0)
        #expect(withoutConfig.stderr.contains("no secret 'echo' in [script.secrets]"), "\(withoutConfig.stderr)")
    }
}
