import StreamKitCore
import StreamKitEngine
import Testing
@testable import StreamKitServer

@Suite("PipelineAuthorizer")
struct PipelineAuthorizerTests {
    private typealias Node = PipelineDocument.NodeSpec

    private static func paths(_ tree: SecurityTemporaryTree, write: [String] = ["out/**"]) -> FilePathPolicy {
        FilePathPolicy(allowedReadPaths: ["samples/**"], allowedWritePaths: write, workingDirectory: tree.work)
    }

    private static func params(_ pairs: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(pairs))
    }

    @Test("the user role may not use core::file_writer or streamkit::* in a dynamic pipeline")
    func userDynamic() throws {
        let tree = try SecurityTemporaryTree()
        let document = PipelineDocument(mode: .dynamic, nodes: [
            Node(id: "r", kind: "core::file_reader", params: Self.params([("path", .string("samples/audio/a.wav"))])),
            Node(id: "g", kind: "audio::gain", params: Self.params([("gain", .number(2))])),
            Node(id: "w", kind: "core::file_writer", params: Self.params([("path", .string("out/x.wav"))])),
            Node(id: "in", kind: "streamkit::http_input"),
            Node(id: "x", kind: "streamkit::something"),
        ])
        let problems = PipelineAuthorizer.check(document, permissions: .user, paths: Self.paths(tree), context: .dynamic)
        #expect(problems == [
            AuthorizationProblem(nodeID: "w", kind: "core::file_writer", category: .forbidden,
                                 message: "Permission denied: node type 'core::file_writer' not allowed (node 'w')"),
            AuthorizationProblem(nodeID: "in", kind: "streamkit::http_input", category: .invalid,
                                 message: "Node type 'streamkit::http_input' is oneshot-only and cannot be used in dynamic sessions (node 'in')"),
            AuthorizationProblem(nodeID: "x", kind: "streamkit::something", category: .forbidden,
                                 message: "Permission denied: node type 'streamkit::something' not allowed (node 'x')"),
        ])
        #expect(problems.httpStatus == 403)

        // Admin may use the writer, but markers stay oneshot-only.
        let admin = PipelineAuthorizer.check(document, permissions: .admin, paths: Self.paths(tree), context: .dynamic)
        #expect(admin.map(\.nodeID) == ["in"])
        #expect(admin.httpStatus == 400)
    }

    @Test("a file_reader outside the allowlist is refused in a oneshot WITH media (the original skipped it)")
    func oneshotWithMediaChecksReaderPaths() throws {
        let tree = try SecurityTemporaryTree()
        let document = PipelineDocument(mode: .oneshot, nodes: [
            Node(id: "in", kind: "streamkit::http_input"),
            Node(id: "r", kind: "core::file_reader", params: Self.params([("path", .string("../outside/secret.txt"))])),
            Node(id: "out", kind: "streamkit::http_output"),
        ])
        for hasMedia in [true, false] {
            let problems = PipelineAuthorizer.check(document, permissions: .user, paths: Self.paths(tree), context: .oneshot(hasMedia: hasMedia))
            #expect(problems == [
                // The caller is told only that the path it sent is not allowed; the log gets the reason.
                AuthorizationProblem(
                    nodeID: "r", kind: "core::file_reader", category: .invalid,
                    message: "Invalid file path in node 'r': path '../outside/secret.txt' is not allowed (it must name a file under security.allowed_file_paths)",
                    detail: "Invalid file path in node 'r': Path '../outside/secret.txt' resolves to '\(tree.outside)/secret.txt' "
                        + "which is outside allowed directories. Configure security.allowed_file_paths to allow it"
                ),
            ])
        }
    }

    @Test("markers are implicitly allowed in oneshot runs; allowed pipelines have no problems")
    func oneshotAllowed() throws {
        let tree = try SecurityTemporaryTree()
        let document = PipelineDocument(mode: .oneshot, nodes: [
            Node(id: "in", kind: "streamkit::http_input"),
            Node(id: "demux", kind: "containers::wav::demuxer"),
            Node(id: "r", kind: "core::file_reader", params: Self.params([("path", .string("samples/audio/a.wav"))])),
            Node(id: "p", kind: "plugin::native::gain"),
            Node(id: "out", kind: "streamkit::http_output"),
        ])
        let problems = PipelineAuthorizer.check(document, permissions: .user, paths: Self.paths(tree), context: .oneshot(hasMedia: true))
        #expect(problems.isEmpty)
        #expect(problems.httpStatus == nil)

        // Other streamkit:: kinds are not markers and go through the allowlist.
        let other = PipelineAuthorizer.check(
            PipelineDocument(mode: .oneshot, nodes: [Node(id: "s", kind: "streamkit::custom")]),
            permissions: .user, paths: Self.paths(tree), context: .oneshot(hasMedia: true)
        )
        #expect(other.map(\.category) == [.forbidden])
    }

    @Test("plugin kinds must pass both allowlists, and every failure is reported")
    func plugins() throws {
        let tree = try SecurityTemporaryTree()
        var wasmOnly = RolePermissions.user
        wasmOnly.allowedPlugins = ["plugin::wasm::*"]
        let document = PipelineDocument(nodes: [
            Node(id: "a", kind: "plugin::native::whisper"),
            Node(id: "b", kind: "plugin::wasm::gain"),
        ])
        #expect(PipelineAuthorizer.check(document, permissions: wasmOnly, paths: Self.paths(tree), context: .dynamic) == [
            AuthorizationProblem(nodeID: "a", kind: "plugin::native::whisper", category: .forbidden,
                                 message: "Permission denied: plugin 'plugin::native::whisper' not allowed (node 'a')"),
        ])

        var neither = RolePermissions()
        neither.allowedNodes = ["audio::*"]
        let both = PipelineAuthorizer.check(document, permissions: neither, paths: Self.paths(tree), context: .dynamic)
        #expect(both.count == 4)
        #expect(both.allSatisfy { $0.category == .forbidden })
        #expect(both.map(\.nodeID) == ["a", "a", "b", "b"])
    }

    @Test("file_writer params and write paths")
    func writer() throws {
        let tree = try SecurityTemporaryTree()
        func problems(_ params: JSONValue?, write: [String] = ["out/**"]) -> [String] {
            PipelineAuthorizer.check(
                PipelineDocument(nodes: [Node(id: "w", kind: "core::file_writer", params: params)]),
                permissions: .admin, paths: Self.paths(tree, write: write), context: .dynamic
            ).map(\.message)
        }
        #expect(problems(Self.params([("path", .string("out/x.wav"))])).isEmpty)
        #expect(problems(nil) == ["Invalid file_writer params in node 'w': expected params.path to be a string"])
        #expect(problems(Self.params([("path", .number(3))])) == ["Invalid file_writer params in node 'w': expected params.path to be a string"])
        #expect(problems(Self.params([("path", .string("out/x.wav"))]), write: []) == [
            "Invalid write path in node 'w': File writes are disabled by configuration (security.allowed_write_paths is empty)",
        ])
        #expect(problems(Self.params([("path", .string("out/../x.wav"))])).first?.hasPrefix("Invalid write path in node 'w': ") == true)
    }

    @Test("file_reader and script paths")
    func readerAndScript() throws {
        let tree = try SecurityTemporaryTree()
        // The full reasons (what the log gets); the caller's messages are checked below.
        func problems(_ kind: String, _ params: JSONValue?) -> [String] {
            PipelineAuthorizer.check(
                PipelineDocument(nodes: [Node(id: "n", kind: kind, params: params)]),
                permissions: .user, paths: Self.paths(tree), context: .dynamic
            ).map { $0.detail ?? $0.message }
        }
        let told = PipelineAuthorizer.check(
            PipelineDocument(nodes: [Node(id: "n", kind: "core::script", params: Self.params([("script_path", .string("notes.txt"))]))]),
            permissions: .user, paths: Self.paths(tree), context: .dynamic
        ).map(\.message)
        #expect(told == ["Invalid script_path in node 'n': path 'notes.txt' is not allowed (it must name a file under security.allowed_file_paths)"])
        #expect(problems("core::file_reader", nil).isEmpty)
        #expect(problems("core::file_reader", Self.params([("path", .null)])).isEmpty)
        #expect(problems("core::file_reader", Self.params([("path", .bool(true))]))
            == ["Invalid file_reader params in node 'n': expected params.path to be a string"])
        #expect(problems("core::file_reader", Self.params([("path", .string("samples/missing.wav"))])).first?
            .hasPrefix("Invalid file path in node 'n': Cannot resolve path 'samples/missing.wav'") == true)

        #expect(problems("core::script", Self.params([("script", .string("1"))])).isEmpty)
        #expect(problems("core::script", Self.params([("script_path", .string(""))])).isEmpty)
        #expect(problems("core::script", Self.params([("script_path", .string("samples/pipelines/p.yml"))])).isEmpty)
        #expect(problems("core::script", Self.params([("script_path", .string("notes.txt"))])).first?
            .hasPrefix("Invalid script_path in node 'n': Path 'notes.txt' resolves to") == true)
        #expect(problems("core::script", Self.params([("script_path", .number(1))]))
            == ["Invalid script_path in node 'n': expected params.script_path to be a string"])
    }

    @Test("a forbidden node's paths are not probed")
    func forbiddenNodeHasNoPathProblems() throws {
        let tree = try SecurityTemporaryTree()
        var noReader = RolePermissions.user
        noReader.allowedNodes = ["audio::*"]
        let problems = PipelineAuthorizer.check(
            nodeID: "r", kind: "core::file_reader",
            params: Self.params([("path", .string("../outside/secret.txt"))]),
            permissions: noReader, paths: Self.paths(tree)
        )
        #expect(problems.map(\.message) == ["Permission denied: node type 'core::file_reader' not allowed (node 'r')"])
    }

    @Test("single-node checks for addnode and UpdateParams")
    func singleNode() throws {
        let tree = try SecurityTemporaryTree()
        let paths = Self.paths(tree)
        #expect(PipelineAuthorizer.check(nodeID: "r", kind: "core::file_reader",
                                         params: Self.params([("path", .string("samples/audio/a.wav"))]),
                                         permissions: .user, paths: paths).isEmpty)
        #expect(PipelineAuthorizer.check(nodeID: "i", kind: "streamkit::http_output", params: nil,
                                         permissions: .admin, paths: paths).map(\.category) == [.invalid])
        #expect(PipelineAuthorizer.check(nodeID: "w", kind: "core::file_writer", params: nil,
                                         permissions: .admin, paths: paths).map(\.category) == [.invalid])

        // UpdateParams: the kind is not re-checked, a missing path is fine, a present one is checked.
        #expect(PipelineAuthorizer.check(nodeID: "w", kind: "core::file_writer",
                                         params: Self.params([("chunk_size", .number(10))]),
                                         permissions: .user, paths: paths, operation: .updateParams).isEmpty)
        let retarget = PipelineAuthorizer.check(nodeID: "w", kind: "core::file_writer",
                                                params: Self.params([("path", .string("samples/x.wav"))]),
                                                permissions: .user, paths: paths, operation: .updateParams)
        #expect(retarget.count == 1)
        #expect(retarget.first?.detail?.hasPrefix("Invalid write path in node 'w': Path 'samples/x.wav' resolves to") == true)
        #expect(retarget.first?.message == "Invalid write path in node 'w': path 'samples/x.wav' is not allowed (it must name a file under security.allowed_write_paths)")
        let reread = PipelineAuthorizer.check(nodeID: "r", kind: "core::file_reader",
                                              params: Self.params([("path", .string("samples/escape.txt"))]),
                                              permissions: .user, paths: paths, operation: .updateParams)
        #expect(reread.map(\.category) == [.invalid])
    }
}
