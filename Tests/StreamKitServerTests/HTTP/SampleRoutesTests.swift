import Foundation
import Testing
import StreamKitCore
@testable import StreamKitServer

/// A samples directory in the system temporary directory, removed on deinit:
///
///     oneshot/double_volume.yml   name + description, mode oneshot
///     oneshot/no_name.yaml        mode oneshot, no name (so: a fragment by the original's rule)
///     oneshot/broken.yml          name + mode, then a YAML error (read from the top-level keys)
///     oneshot/huge.yml            over 1 MiB
///     oneshot/notes.txt           not a sample
///     dynamic/live_gain.yml       name, no mode (dynamic)
///     demo/demo_one.yml           name + description, dynamic
///     user/my_fragment.yml        nodes whose `needs` point outside the fragment, no name
final class SampleTree {
    let root: String

    static let doubleVolume = """
        name: Double Volume
        description: Doubles the volume of a WAV file
        mode: oneshot
        steps:
          - kind: streamkit::http_input
          - kind: audio::gain
            params: {gain: 2.0}
          - kind: streamkit::http_output
        """

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("streamkit-samples-\(UUID().uuidString)")
        root = base.path
        let files: [(String, String)] = [
            ("oneshot/double_volume.yml", Self.doubleVolume),
            ("oneshot/no_name.yaml", "mode: oneshot\nsteps:\n  - kind: streamkit::http_input\n  - kind: streamkit::http_output\n"),
            ("oneshot/broken.yml", "name: Broken One\nmode: oneshot\nsteps: [ {kind: \n"),
            ("oneshot/huge.yml", "name: Huge\nmode: oneshot\n# " + String(repeating: "x", count: 1024 * 1024 + 10) + "\nsteps:\n  - kind: audio::gain\n"),
            ("oneshot/notes.txt", "not a pipeline"),
            ("dynamic/live_gain.yml", "name: Live gain\nnodes:\n  gain:\n    kind: audio::gain\n"),
            ("demo/demo_one.yml", "name: Demo\ndescription: A demo\nmode: dynamic\nnodes:\n  a:\n    kind: core::passthrough\n"),
            ("user/my_fragment.yml", "nodes:\n  gain:\n    kind: audio::gain\n    needs: somewhere_else\n"),
        ]
        for (path, text) in files {
            try write(path, text)
        }
    }

    func write(_ relative: String, _ text: String) throws {
        let url = URL(fileURLWithPath: root).appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func read(_ relative: String) -> String? {
        FileManager.default.contents(atPath: root + "/" + relative).map { String(decoding: $0, as: UTF8.self) }
    }

    func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: root + "/" + relative)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// A role for permission tests, made the default role.
func restrictedRole(_ configure: @escaping (inout RolePermissions) -> Void) -> (inout ServerConfiguration) -> Void {
    { configuration in
        var permissions = RolePermissions()
        configure(&permissions)
        configuration.permissions.roles["restricted"] = permissions
        configuration.permissions.defaultRole = "restricted"
    }
}

@Suite("Sample pipeline routes against a real server")
struct SampleRoutesTests {
    func start(_ tree: SampleTree, _ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> TestServer {
        try await TestServer.start { configuration in
            configuration.server.samplesDir = tree.root
            configure(&configuration)
        }
    }

    func ids(_ reply: TestServer.Reply) -> [String] {
        reply.json?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
    }

    func entry(_ reply: TestServer.Reply, _ id: String) -> JSONValue? {
        reply.json?.arrayValue?.first { $0["id"]?.stringValue == id }
    }

    @Test func listsByModeWithNamesDescriptionsAndFragments() async throws {
        let tree = try SampleTree()
        let server = try await start(tree)
        defer { Task { await server.stop() } }

        let oneshot = try await server.get("/api/v1/samples/oneshot")
        #expect(oneshot.status == 200)
        #expect(ids(oneshot) == ["oneshot/broken", "oneshot/double_volume", "oneshot/no_name"])
        let double = try #require(entry(oneshot, "oneshot/double_volume"))
        #expect(double["name"]?.stringValue == "Double Volume")
        #expect(double["description"]?.stringValue == "Doubles the volume of a WAV file")
        #expect(double["mode"]?.stringValue == "oneshot")
        #expect(double["is_system"]?.boolValue == true)
        #expect(double["is_fragment"]?.boolValue == false)
        #expect(double["yaml"]?.stringValue == SampleTree.doubleVolume)
        let noName = try #require(entry(oneshot, "oneshot/no_name"))
        #expect(noName["name"]?.stringValue == "No Name")
        #expect(noName["description"]?.stringValue == "")
        #expect(noName["is_fragment"]?.boolValue == true)
        // A file with a YAML error further down still shows its top-level name and mode.
        #expect(entry(oneshot, "oneshot/broken")?["name"]?.stringValue == "Broken One")

        let dynamic = try await server.get("/api/v1/samples/dynamic")
        #expect(dynamic.status == 200)
        // Directory order: oneshot, dynamic, user, demo.
        #expect(ids(dynamic) == ["dynamic/live_gain", "user/my_fragment", "demo/demo_one"])
        let fragment = try #require(entry(dynamic, "user/my_fragment"))
        #expect(fragment["name"]?.stringValue == "My Fragment")
        #expect(fragment["is_fragment"]?.boolValue == true)
        #expect(fragment["is_system"]?.boolValue == false)
        #expect(fragment["mode"]?.stringValue == "dynamic")
        #expect(entry(dynamic, "dynamic/live_gain")?["is_fragment"]?.boolValue == false)
        #expect(entry(dynamic, "demo/demo_one")?["description"]?.stringValue == "A demo")
    }

    @Test func getsOneByRawEncodedAndBareID() async throws {
        let tree = try SampleTree()
        let server = try await start(tree)
        defer { Task { await server.stop() } }

        for path in ["oneshot/double_volume", "oneshot%2Fdouble_volume", "oneshot%2fdouble_volume", "double_volume"] {
            let reply = try await server.get("/api/v1/samples/oneshot/" + path)
            #expect(reply.status == 200, "\(path): \(reply.text)")
            #expect(reply.json?["id"]?.stringValue == "oneshot/double_volume")
            #expect(reply.json?["name"]?.stringValue == "Double Volume")
            #expect(reply.json?["yaml"]?.stringValue == SampleTree.doubleVolume)
        }
        let yaml = try await server.get("/api/v1/samples/oneshot/oneshot/no_name")
        #expect(yaml.json?["id"]?.stringValue == "oneshot/no_name")
        let user = try await server.get("/api/v1/samples/oneshot/user%2Fmy_fragment")
        #expect(user.json?["is_system"]?.boolValue == false)

        let missing = try await server.get("/api/v1/samples/oneshot/oneshot/nope")
        #expect(missing.status == 404)
        #expect(missing.errorCode == "not_found")
        #expect(try await server.get("/api/v1/samples/oneshot/elsewhere/double_volume").status == 404)
        let nested = try await server.get("/api/v1/samples/oneshot/oneshot/a/b")
        #expect(nested.status == 400)
        #expect(nested.errorCode == "invalid_filename")
        #expect(try await server.get("/api/v1/samples/oneshot/oneshot%2F..%2Fsecret").status == 400)
        #expect(try await server.get("/api/v1/samples/oneshot/oneshot%2F" + String(repeating: "a", count: 260)).status == 400)
        let huge = try await server.get("/api/v1/samples/oneshot/oneshot/huge")
        #expect(huge.status == 413)
        #expect(huge.errorCode == "too_large")
    }

    @Test func savesUserSamplesWithConflictsAndOverwrite() async throws {
        let tree = try SampleTree()
        let server = try await start(tree)
        defer { Task { await server.stop() } }

        let yaml = "name: Old name\nmode: oneshot\nsteps:\n  - kind: streamkit::http_input\n  - kind: streamkit::http_output\n"
        let body: JSONValue = ["name": "My Pipeline!", "description": "Saved from a test", "yaml": .string(yaml)]
        let saved = try await server.postJSON("/api/v1/samples/oneshot", body)
        #expect(saved.status == 201, "\(saved.text)")
        #expect(saved.json?["id"]?.stringValue == "user/my_pipeline")
        #expect(saved.json?["name"]?.stringValue == "My Pipeline!")
        #expect(saved.json?["yaml"]?.stringValue == yaml)
        #expect(saved.json?["mode"]?.stringValue == "oneshot")
        #expect(saved.json?["is_system"]?.boolValue == false)
        #expect(saved.json?["is_fragment"]?.boolValue == false)
        let stored = try #require(tree.read("user/my_pipeline.yml"))
        #expect(!stored.contains("Old name"))
        // No temporary files are left in the directory.
        let entries = try FileManager.default.contentsOfDirectory(atPath: tree.root + "/user").sorted()
        #expect(entries == ["my_fragment.yml", "my_pipeline.yml"])

        let back = try await server.get("/api/v1/samples/oneshot/user%2Fmy_pipeline")
        #expect(back.json?["name"]?.stringValue == "My Pipeline!")
        #expect(back.json?["description"]?.stringValue == "Saved from a test")
        #expect(back.json?["mode"]?.stringValue == "oneshot")
        let listed = try await server.get("/api/v1/samples/oneshot")
        #expect(ids(listed).contains("user/my_pipeline"))

        let conflict = try await server.postJSON("/api/v1/samples/oneshot", body)
        #expect(conflict.status == 409)
        #expect(conflict.errorCode == "conflict")
        var overwrite = body.objectValue ?? [:]
        overwrite["overwrite"] = true
        overwrite["description"] = "Second version"
        let replaced = try await server.postJSON("/api/v1/samples/oneshot", .object(overwrite))
        #expect(replaced.status == 201)
        let again = try await server.get("/api/v1/samples/oneshot/user/my_pipeline")
        #expect(again.json?["description"]?.stringValue == "Second version")

        // A fragment is stored verbatim, and may need nodes it does not contain.
        let fragmentYAML = "nodes:\n  gain:\n    kind: audio::gain\n    needs: input_node\n"
        let fragment = try await server.postJSON("/api/v1/samples/oneshot", [
            "name": "Gain Block", "description": "", "yaml": .string(fragmentYAML), "is_fragment": true,
        ])
        #expect(fragment.status == 201, "\(fragment.text)")
        #expect(tree.read("user/gain_block.yml") == fragmentYAML)
        let fragmentBack = try await server.get("/api/v1/samples/oneshot/user/gain_block")
        #expect(fragmentBack.json?["is_fragment"]?.boolValue == true)
        #expect(fragmentBack.json?["name"]?.stringValue == "Gain Block")
    }

    @Test func refusesInvalidSavesListingEveryProblem() async throws {
        let tree = try SampleTree()
        let server = try await start(tree)
        defer { Task { await server.stop() } }

        let bad = "mode: sometimes\nnodes:\n  a:\n    params: {}\n  b:\n    kind: audio::gain\n    needs: ghost\n"
        let reply = try await server.postJSON("/api/v1/samples/oneshot", ["name": "Bad", "description": "", "yaml": .string(bad)])
        #expect(reply.status == 400)
        #expect(reply.errorCode == "invalid_pipeline")
        let codes = reply.json?["error"]?["issues"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
        #expect(Set(codes) == ["invalid_mode", "missing_kind", "unknown_dependency"], "\(reply.text)")
        #expect(!tree.exists("user/bad.yml"))

        let syntax = try await server.postJSON("/api/v1/samples/oneshot", ["name": "Bad", "description": "", "yaml": "steps: [ {kind: "])
        #expect(syntax.status == 400)
        #expect(syntax.errorCode == "invalid_pipeline")

        let missing = try await server.postJSON("/api/v1/samples/oneshot", ["yaml": 3])
        #expect(missing.status == 400)
        #expect(missing.errorCode == "invalid_request")
        #expect(missing.json?["error"]?["issues"]?.arrayValue?.count == 3)

        let huge = String(repeating: "#", count: 1024 * 1024 + 1)
        let tooLarge = try await server.postJSON("/api/v1/samples/oneshot", ["name": "Huge", "description": "", "yaml": .string(huge)])
        #expect(tooLarge.status == 413)
        #expect(!tree.exists("user/huge.yml"))
    }

    @Test func deletesUserSamplesOnly() async throws {
        let tree = try SampleTree()
        try tree.write("user/second.yaml", "name: Second\nnodes:\n  a:\n    kind: audio::gain\n")
        let server = try await start(tree)
        defer { Task { await server.stop() } }

        let deleted = try await server.request(.DELETE, "/api/v1/samples/oneshot/user%2Fmy_fragment")
        #expect(deleted.status == 204)
        #expect(!tree.exists("user/my_fragment.yml"))
        #expect(try await server.get("/api/v1/samples/oneshot/user/my_fragment").status == 404)
        let again = try await server.request(.DELETE, "/api/v1/samples/oneshot/user/my_fragment")
        #expect(again.status == 404)

        // Raw form, `.yaml` file, and an id without prefix (a user sample).
        #expect(try await server.request(.DELETE, "/api/v1/samples/oneshot/second").status == 204)
        #expect(!tree.exists("user/second.yaml"))

        let system = try await server.request(.DELETE, "/api/v1/samples/oneshot/oneshot%2Fdouble_volume")
        #expect(system.status == 403)
        #expect(system.errorCode == "forbidden")
        #expect(tree.exists("oneshot/double_volume.yml"))
        #expect(try await server.request(.DELETE, "/api/v1/samples/oneshot/demo/demo_one").status == 403)
        #expect(try await server.request(.DELETE, "/api/v1/samples/oneshot/user%2F..%2Foneshot%2Fdouble_volume").status == 400)
        #expect(tree.exists("oneshot/double_volume.yml"))
    }

    @Test func refusesWhatTheRoleMayNotDo() async throws {
        let tree = try SampleTree()
        let server = try await start(tree, restrictedRole { permissions in
            permissions.listSamples = true
            permissions.allowedSamples = ["oneshot/*.yml"]
        })
        defer { Task { await server.stop() } }

        let listed = try await server.get("/api/v1/samples/oneshot")
        #expect(listed.status == 200)
        #expect(ids(listed) == ["oneshot/broken", "oneshot/double_volume"])
        #expect(ids(try await server.get("/api/v1/samples/dynamic")) == [])

        let read = try await server.get("/api/v1/samples/oneshot/oneshot/double_volume")
        #expect(read.status == 403)
        #expect(read.errorCode == "forbidden")
        let save = try await server.postJSON("/api/v1/samples/oneshot", ["name": "X", "description": "", "yaml": .string(SampleTree.doubleVolume)])
        #expect(save.status == 403)
        #expect(!tree.exists("user/x.yml"))
        let delete = try await server.request(.DELETE, "/api/v1/samples/oneshot/user/my_fragment")
        #expect(delete.status == 403)
        #expect(tree.exists("user/my_fragment.yml"))

        let nothing = try await start(tree, restrictedRole { _ in })
        defer { Task { await nothing.stop() } }
        let refused = try await nothing.get("/api/v1/samples/dynamic")
        #expect(refused.status == 403)
        #expect(refused.errorCode == "forbidden")
    }

    @Test func readAppliesTheAllowlist() async throws {
        let tree = try SampleTree()
        let server = try await start(tree, restrictedRole { permissions in
            permissions.readSamples = true
            permissions.allowedSamples = ["oneshot/*.yml"]
        })
        defer { Task { await server.stop() } }

        #expect(try await server.get("/api/v1/samples/oneshot/oneshot/double_volume").status == 200)
        // Not granted: 403 whether the file exists or not.
        #expect(try await server.get("/api/v1/samples/oneshot/dynamic/live_gain").status == 403)
        #expect(try await server.get("/api/v1/samples/oneshot/dynamic/nothing_here").status == 403)
        #expect(try await server.get("/api/v1/samples/oneshot/oneshot/no_name").status == 403)
        // Granted but missing: 404.
        #expect(try await server.get("/api/v1/samples/oneshot/oneshot/nothing_here").status == 404)
    }
}
