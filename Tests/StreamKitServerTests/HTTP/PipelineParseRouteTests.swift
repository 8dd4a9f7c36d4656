import Foundation
import Testing
import StreamKitCore
@testable import StreamKitServer

/// `POST /api/v1/pipelines/parse` on a real server: the engine's reading of a document as graph JSON,
/// the engine's validation issues, and the same limits and role checks as the other pipeline routes.
@Suite("Pipeline parse endpoint")
struct PipelineParseRouteTests {
    static let path = "/api/v1/pipelines/parse"

    static func parse(_ server: TestServer, _ text: String, headers: [(String, String)] = []) async throws -> TestServer.Reply {
        try await server.request(.POST, path, headers: [("Content-Type", "application/yaml")] + headers, body: Array(text.utf8))
    }

    /// The keys of a JSON object, as a set (a decoded object does not keep the order they came in).
    static func keys(_ value: JSONValue?) -> Set<String>? {
        value?.objectValue.map { Set($0.keys) }
    }

    /// A server whose callers name their role in `X-Role`: `viewer` may only list sessions, `user` is the built-in user role.
    static func serverWithRoles() async throws -> TestServer {
        try await TestServer.start { configuration in
            configuration.permissions.roleHeader = "X-Role"
            var viewer = RolePermissions()
            viewer.listSessions = true
            viewer.allowedNodes = ["audio::*", "core::sink"]
            configuration.permissions.roles["viewer"] = viewer
            configuration.permissions.roles["user"] = .user
        }
    }

    @Test func aGoodDocumentComesBackAsItsGraph() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let reply = try await Self.parse(server, """
            name: Parse me
            description: three nodes
            nodes:
              tone:
                kind: audio::tone
                params: {frequency: 220, duration_ms: 0}
              gain:
                kind: audio::gain
                needs: {node: tone, mode: best_effort}
              sink: {kind: core::sink, needs: gain}
            """)
        #expect(reply.status == 200, "\(reply.text)")
        let json = try #require(reply.json)
        #expect(json["name"]?.stringValue == "Parse me")
        #expect(json["description"]?.stringValue == "three nodes")
        #expect(json["mode"]?.stringValue == "dynamic")
        #expect(Self.keys(json["nodes"]) == ["tone", "gain", "sink"])
        // Nodes keep the document's order (the designer lays them out in it).
        let positions = ["\"tone\":", "\"gain\":", "\"sink\":"].compactMap { reply.text.range(of: $0)?.lowerBound }
        #expect(positions.count == 3 && positions == positions.sorted(), "\(reply.text)")
        #expect(json["nodes"]?["tone"]?["kind"]?.stringValue == "audio::tone")
        #expect(json["nodes"]?["tone"]?["params"] == ["frequency": 220, "duration_ms": 0])
        #expect(json["nodes"]?["gain"]?["params"]?.isNull == true)
        #expect(json["connections"] == [
            ["from_node": "tone", "from_pin": "out", "to_node": "gain", "to_pin": "in", "mode": "best_effort"],
            ["from_node": "gain", "from_pin": "out", "to_node": "sink", "to_pin": "in"],
        ])
        #expect(json["validated"]?.boolValue == true)
        #expect(json["issues"]?.arrayValue?.isEmpty == true, "\(reply.text)")
    }

    @Test func stepsBecomeAChainOfNamedNodes() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let reply = try await Self.parse(server, """
            mode: oneshot
            steps:
              - kind: streamkit::http_input
              - kind: audio::gain
                params: {gain: 2}
              - kind: streamkit::http_output
            """)
        #expect(reply.status == 200, "\(reply.text)")
        let json = try #require(reply.json)
        #expect(json["mode"]?.stringValue == "oneshot")
        #expect(Self.keys(json["nodes"]) == ["step_0", "step_1", "step_2"])
        #expect(json["nodes"]?["step_1"]?["params"] == ["gain": 2])
        let links = json["connections"]?.arrayValue?.map { "\($0["from_node"]?.stringValue ?? "")>\($0["to_node"]?.stringValue ?? "")" }
        #expect(links == ["step_0>step_1", "step_1>step_2"])
    }

    @Test func badYAMLIsRefusedNamingTheLine() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let reply = try await Self.parse(server, "nodes:\n  a: {kind: audio::tone\n  b: {kind: core::sink}\n")
        #expect(reply.status == 400, "\(reply.text)")
        #expect(reply.errorCode == "invalid_pipeline")
        #expect(reply.errorMessage?.contains("line") == true, "\(reply.text)")
        #expect(reply.json?["error"]?["issues"]?.arrayValue?.first?["line"]?.intValue != nil, "\(reply.text)")

        // Readable YAML that is no pipeline: the parser's problem, with its field.
        let noKind = try await Self.parse(server, "nodes:\n  a:\n    params: {gain: 2}\n")
        #expect(noKind.status == 400)
        #expect(noKind.errorMessage?.contains("'kind' is required") == true, "\(noKind.text)")
        #expect(noKind.json?["error"]?["issues"]?.arrayValue?.first?["node"]?.stringValue == "a")
    }

    @Test func aTypeMismatchIsAnIssueNamingNodeAndPin() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let reply = try await Self.parse(server, """
            nodes:
              tone: {kind: audio::tone}
              chunks: {kind: core::text_chunker, needs: tone}
              unknown: {kind: audio::gian}
            """)
        // The document is readable: its graph comes back, with what the engine finds wrong in it.
        #expect(reply.status == 200, "\(reply.text)")
        let json = try #require(reply.json)
        #expect(Self.keys(json["nodes"]) == ["tone", "chunks", "unknown"])
        #expect(json["validated"]?.boolValue == true)
        let issues = json["issues"]?.arrayValue ?? []
        let mismatch = issues.first { $0["code"]?.stringValue == "type_mismatch" }
        #expect(mismatch?["node"]?.stringValue == "chunks", "\(reply.text)")
        #expect(mismatch?["pin"]?.stringValue == "in", "\(reply.text)")
        #expect(mismatch?["message"]?.stringValue?.contains("RawAudio") == true, "\(reply.text)")
        let unknown = issues.first { $0["code"]?.stringValue == "unknown_kind" }
        #expect(unknown?["node"]?.stringValue == "unknown", "\(reply.text)")
        #expect(unknown?["message"]?.stringValue?.contains("audio::gain") == true, "a suggestion: \(reply.text)")
    }

    @Test func rolesAreCheckedLikeTheOtherPipelineRoutes() async throws {
        let server = try await Self.serverWithRoles()
        defer { Task { await server.stop() } }
        let document = "nodes:\n  tone: {kind: audio::tone}\n  sink: {kind: core::sink, needs: tone}\n"

        // A role that is not defined is refused before anything is read.
        let nobody = try await Self.parse(server, document, headers: [("X-Role", "nobody")])
        #expect(nobody.status == 403, "\(nobody.text)")
        // So is a page of another origin (parsing is a POST under /api/).
        let foreign = try await Self.parse(server, document, headers: [("Origin", "https://evil.example")])
        #expect(foreign.status == 403, "\(foreign.text)")

        // A role that may not create sessions gets the graph, but its nodes are not built.
        let viewer = try await Self.parse(server, document, headers: [("X-Role", "viewer")])
        #expect(viewer.status == 200, "\(viewer.text)")
        #expect(Self.keys(viewer.json?["nodes"]) == ["tone", "sink"])
        #expect(viewer.json?["validated"]?.boolValue == false)
        #expect(viewer.json?["issues"]?.arrayValue?.first?["code"]?.stringValue == "forbidden", "\(viewer.text)")

        // A node kind the role may not use is named, and nothing is built either.
        let writer = "nodes:\n  tone: {kind: audio::tone}\n  w: {kind: core::file_writer, params: {path: /tmp/streamkit-parse-test}, needs: tone}\n"
        let user = try await Self.parse(server, writer, headers: [("X-Role", "user")])
        #expect(user.status == 200, "\(user.text)")
        #expect(user.json?["validated"]?.boolValue == false)
        let problem = user.json?["issues"]?.arrayValue?.first
        #expect(problem?["code"]?.stringValue == "forbidden" && problem?["node"]?.stringValue == "w", "\(user.text)")
        #expect(problem?["message"]?.stringValue?.contains("core::file_writer") == true, "\(user.text)")

        let allowed = try await Self.parse(server, document, headers: [("X-Role", "user")])
        #expect(allowed.json?["validated"]?.boolValue == true, "\(allowed.text)")
        #expect(allowed.json?["issues"]?.arrayValue?.isEmpty == true, "\(allowed.text)")
    }

    @Test func oversizeAndExpandingDocumentsAreRefused() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let huge = "nodes: {}\n" + String(repeating: "# padding\n", count: PipelineParseRoute.maxDocumentBytes / 10 + 1)
        let tooLarge = try await Self.parse(server, huge)
        #expect(tooLarge.status == 413, "\(tooLarge.status)")
        #expect(tooLarge.errorCode == "too_large")

        // A few hundred bytes of nested aliases would expand to millions of values: refused before any tree is built.
        var laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1..<8 {
            let previous = "*l\(level - 1)".replacingOccurrences(of: "*l0", with: "*a")
            laughs += "l\(level): &l\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]\n"
        }
        let expanding = try await Self.parse(server, laughs + "nodes: {}\n")
        #expect(expanding.status == 400, "\(expanding.text)")
        #expect(expanding.json?["error"]?["issues"]?.arrayValue?.first?["code"]?.stringValue == "document_too_large", "\(expanding.text)")
    }

    @Test func anEmptyGraphIsAGraph() async throws {
        // The designer's "New" writes `nodes: {}`; that is a pipeline with nothing in it, not an error.
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let reply = try await Self.parse(server, "mode: dynamic\nnodes: {}\n")
        #expect(reply.status == 200, "\(reply.text)")
        #expect(Self.keys(reply.json?["nodes"]) == [])
        #expect(reply.json?["connections"] == [])
    }
}
