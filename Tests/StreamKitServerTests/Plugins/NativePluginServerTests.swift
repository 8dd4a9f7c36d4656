import Foundation
import StreamKitCore
@testable import StreamKitServer
import StreamKitClient
import StreamKitCLI
import Testing

/// Native plugins through the real server: real `.so` files built during the test, uploaded over
/// HTTP, run in oneshot and dynamic pipelines, replaced, deleted and reloaded.
@Suite("Native plugins through the server", .serialized, .timeLimit(.minutes(3)))
struct NativePluginServerTests {
    static func managedServer(_ configure: @escaping (inout ServerConfiguration) -> Void = { _ in }) async throws -> TestServer {
        try await TestServer.start { configuration in
            configuration.plugins.allowHTTPManagement = true
            configure(&configuration)
        }
    }

    @Test("the C example: upload, list, oneshot WAV at +6 dB checked by RMS")
    func cExampleOneshot() async throws {
        let library = try PluginFixtures.gainC()
        let server = try await Self.managedServer()
        defer { Task { await server.stop() } }

        let uploaded = try await server.uploadPlugin(library)
        #expect(uploaded.status == 201, "\(uploaded.text)")
        let summary = try #require(uploaded.json)
        #expect(summary["kind"] == "plugin::native::gain_native_c")
        #expect(summary["original_kind"] == "gain_native_c")
        #expect(summary["plugin_type"] == "native")
        #expect(summary["file_name"] == "libgain_native_c.so")
        #expect(summary["categories"] == ["audio", "filters"])
        #expect(summary["sha256"]?.stringValue?.count == 64)
        #expect(summary["size"]?.intValue == (try FileManager.default.attributesOfItem(atPath: library)[.size] as? Int))
        #expect(summary["inputs"]?.arrayValue?.first?["name"] == "in")
        #expect(summary["loaded_at_ms"]?.doubleValue ?? 0 > 1_700_000_000_000)

        let listed = try await server.get("/api/v1/plugins")
        #expect(listed.json?.arrayValue?.compactMap { $0["kind"]?.stringValue } == ["plugin::native::gain_native_c"])
        let schema = try await server.get("/api/v1/schema/nodes")
        #expect(schema.json?.arrayValue?.contains { $0["kind"] == "plugin::native::gain_native_c" } == true)
        #expect(server.nativeFiles == ["libgain_native_c.so"])

        let input = PluginWAV.sine(seconds: 1, amplitude: 0.25)
        let reply = try await server.process(yaml: pluginWAVPipeline(kind: "plugin::native::gain_native_c", params: "{gain_db: 6}"), media: input, mediaType: "audio/wav")
        #expect(reply.status == 200, "\(reply.text)")
        let output = try #require(PluginWAV.samples(reply.body))
        let original = try #require(PluginWAV.samples(input))
        #expect(output.count == original.count)
        let ratio = PluginWAV.rms(output) / PluginWAV.rms(original)
        #expect(abs(ratio - pow(10, 6.0 / 20)) < 0.01, "RMS ratio \(ratio)")
    }

    @Test("the Swift example: upload, oneshot WAV at -6 dB, a refused parameter update")
    func swiftExampleOneshot() async throws {
        let library = try PluginFixtures.gainSwift()
        let server = try await Self.managedServer()
        defer { Task { await server.stop() } }

        let uploaded = try await server.uploadPlugin(library)
        #expect(uploaded.status == 201, "\(uploaded.text)")
        #expect(uploaded.json?["kind"] == "plugin::native::gain_native_swift")

        let input = PluginWAV.sine(seconds: 0.5, amplitude: 0.5)
        let reply = try await server.process(yaml: pluginWAVPipeline(kind: "plugin::native::gain_native_swift", params: "{gain_db: -6}"), media: input, mediaType: "audio/wav")
        #expect(reply.status == 200, "\(reply.text)")
        let output = try #require(PluginWAV.samples(reply.body))
        let ratio = PluginWAV.rms(output) / PluginWAV.rms(try #require(PluginWAV.samples(input)))
        #expect(abs(ratio - pow(10, -6.0 / 20)) < 0.01, "RMS ratio \(ratio)")

        // Out-of-range params are refused by the plugin's schema before the plugin sees them.
        let refused = try await server.process(yaml: pluginWAVPipeline(kind: "plugin::native::gain_native_swift", params: "{gain_db: 99}"), media: input, mediaType: "audio/wav")
        #expect(refused.status == 400)
        #expect(refused.text.contains("gain_db"), "\(refused.text)")
    }

    @Test("dynamic session: live gain, tuning changes the level, plugin telemetry reaches the WebSocket")
    func dynamicSessionTelemetryAndTune() async throws {
        let server = try await Self.managedServer()
        defer { Task { await server.stop() } }
        #expect(try await server.uploadPlugin(try PluginFixtures.gainC()).status == 201)

        let client = try await ControlTestClient.connect(server.controlURL)
        let session = try await client.startLevelSession(name: "live-gain", kind: "plugin::native::gain_native_c", params: ["gain_db": 6], amplitude: 0.4)
        let expected = 0.4 / 2.0.squareRoot() * pow(10, 6.0 / 20)
        let first = try await client.level(session: session)
        #expect(abs(first.rms - expected) < 0.01, "rms \(first.rms), expected \(expected)")

        let stats = try await client.event { $0.has("event", "nodetelemetry") && $0.has("node_id", "plugin") && $0["data"]?["event_type"] == "gain.stats" }
        #expect((stats["data"]?["packets"]?.doubleValue ?? 0) >= 50, "\(stats)")
        #expect(stats["type_id"] == "core::telemetry/event@1")

        let tuned = try await client.request(["action": "tunenode", "session_id": .string(session), "node_id": "plugin", "message": ["UpdateParams": ["gain_db": -6]]])
        #expect(tuned == ["action": "success"], "\(tuned)")
        let changed = try await client.event { $0.has("event", "nodeparamschanged") && $0.has("node_id", "plugin") }
        #expect(changed["params"]?["gain_db"] == -6)
        // Levels measured after the change (skip one window that may straddle it).
        let straddling = try await client.level(session: session, after: client.messages.count)
        let after = try await client.level(session: session, after: straddling.index + 1)
        let quieter = 0.4 / 2.0.squareRoot() * pow(10, -6.0 / 20)
        #expect(abs(after.rms - quieter) < 0.01, "rms \(after.rms), expected \(quieter)")

        // The schema refuses a bad value before the plugin is asked.
        let bad = try await client.request(["action": "tunenode", "session_id": .string(session), "node_id": "plugin", "message": ["UpdateParams": ["gain_db": "loud"]]])
        #expect(bad.has("action", "error"), "\(bad)")
        await client.close()
    }

    @Test("hot reload: a running v1 session keeps v1 output while a new session gets v2; the replacement survives a restart")
    func hotReload() async throws {
        let v1 = try PluginFixtures.compile("versioned_v1", source: PluginFixtures.versionedSource, defines: ["VERSION=1"])
        let v2 = try PluginFixtures.compile("versioned_v2", source: PluginFixtures.versionedSource, defines: ["VERSION=2"])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skit-reload-\(UUID().uuidString)").path
        let server = try await Self.managedServer { $0.plugins.directory = directory }

        let first = try await server.uploadPlugin(v1)
        #expect(first.status == 201, "\(first.text)")
        #expect(first.json?["version"] == 1)
        let client = try await ControlTestClient.connect(server.controlURL)
        let old = try await client.startLevelSession(name: "on-v1", kind: "plugin::native::versioned", amplitude: 0.2)
        let oldLevel = try await client.level(session: old)
        let unit = 0.2 / 2.0.squareRoot()
        #expect(abs(oldLevel.rms - unit) < 0.005, "v1 rms \(oldLevel.rms)")

        let second = try await server.uploadPlugin(v2)
        #expect(second.status == 201, "\(second.text)")
        #expect(second.json?["version"] == 2)
        #expect(second.json?["replaced"]?["version"] == 1)
        #expect(second.json?["replaced"]?["file_name"] == "libversioned_v1.so")
        #expect(second.json?["replaced"]?["sha256"] != second.json?["sha256"])
        let announced = try await client.event { $0.has("event", "pluginreplaced") }
        #expect(announced.has("kind", "plugin::native::versioned"))
        #expect(announced["replaced"]?["version"] == 1)
        #expect(server.nativeFiles == ["libversioned_v2.so"], "the replaced file goes")

        let mark = client.messages.count
        let new = try await client.startLevelSession(name: "on-v2", kind: "plugin::native::versioned", amplitude: 0.2)
        let newLevel = try await client.level(session: new, after: mark)
        #expect(abs(newLevel.rms - 2 * unit) < 0.005, "v2 rms \(newLevel.rms)")
        let oldAfter = try await client.level(session: old, after: client.messages.count)
        #expect(abs(oldAfter.rms - unit) < 0.005, "the v1 session still runs v1: rms \(oldAfter.rms)")
        await client.close()
        await server.stop()

        // A restart on the same directory loads the replacement.
        let restarted = try await Self.managedServer { $0.plugins.directory = directory }
        defer { Task { await restarted.stop() } }
        let listed = try await restarted.get("/api/v1/plugins")
        #expect(listed.json?.arrayValue?.first?["file_name"] == "libversioned_v2.so", "\(listed.text)")
        let input = PluginWAV.sine(seconds: 0.2, amplitude: 0.2)
        let reply = try await restarted.process(yaml: pluginWAVPipeline(kind: "plugin::native::versioned"), media: input, mediaType: "audio/wav")
        let ratio = PluginWAV.rms(try #require(PluginWAV.samples(reply.body))) / PluginWAV.rms(try #require(PluginWAV.samples(input)))
        #expect(abs(ratio - 2) < 0.01, "after restart: ratio \(ratio)")
    }

    @Test("a plugin that segfaults fails only its node: its session reports why, another session and the server go on")
    func crashIsContained() async throws {
        let server = try await Self.managedServer()
        defer { Task { await server.stop() } }
        #expect(try await server.uploadPlugin(try PluginFixtures.compile("crashy", source: PluginFixtures.crashAfterSource)).status == 201)
        #expect(try await server.uploadPlugin(try PluginFixtures.gainC()).status == 201)
        let client = try await ControlTestClient.connect(server.controlURL)
        let healthy = try await client.startLevelSession(name: "healthy", kind: "plugin::native::gain_native_c", params: ["gain_db": 0], amplitude: 0.3)
        let doomed = try await client.startLevelSession(name: "doomed", kind: "plugin::native::crashy", amplitude: 0.3)
        let failed = try await client.event(timeout: .seconds(20)) {
            $0.has("event", "nodestatechanged") && $0.has("session_id", doomed) && $0.has("node_id", "plugin") && $0["state"]?["Failed"] != nil
        }
        let reason = failed["state"]?["Failed"]?["reason"]?.stringValue ?? ""
        #expect(reason.contains("plugin::native::crashy crashed with SIGSEGV"), "\(failed)")
        #expect(reason.contains("process_packet"))
        // The other session keeps producing audio at the right level; the server answers.
        let level = try await client.level(session: healthy, after: client.messages.count)
        #expect(abs(level.rms - 0.3 / 2.0.squareRoot()) < 0.005)
        #expect(try await server.get("/healthz").status == 200)
        // A new node of the crashing kind starts fresh in another session.
        let again = try await client.startLevelSession(name: "again", kind: "plugin::native::crashy", amplitude: 0.3)
        _ = try await client.level(session: again)
        await client.close()
    }

    @Test("delete with and without keep_file; an unknown kind is 404; running nodes keep working")
    func deletePlugins() async throws {
        let server = try await Self.managedServer()
        defer { Task { await server.stop() } }
        #expect(try await server.uploadPlugin(try PluginFixtures.gainC()).status == 201)
        let client = try await ControlTestClient.connect(server.controlURL)
        let session = try await client.startLevelSession(name: "survivor", kind: "plugin::native::gain_native_c", params: ["gain_db": 0], amplitude: 0.3)
        _ = try await client.level(session: session)

        let kept = try await server.request(.DELETE, "/api/v1/plugins/plugin%3A%3Anative%3A%3Again_native_c?keep_file=true")
        #expect(kept.status == 200, "\(kept.text)")
        #expect(kept.json?["file_kept"] == true)
        #expect(server.nativeFiles == ["libgain_native_c.so"])
        #expect(try await server.get("/api/v1/plugins").json == [])
        let unloaded = try await client.event { $0.has("event", "pluginunloaded") }
        #expect(unloaded.has("kind", "plugin::native::gain_native_c"))
        // The running node goes on with the unloaded plugin.
        let still = try await client.level(session: session, after: client.messages.count)
        #expect(abs(still.rms - 0.3 / 2.0.squareRoot()) < 0.005)
        // New nodes cannot use it any more.
        let add = try await client.request(["action": "addnode", "session_id": .string(session), "node_id": "again", "kind": "plugin::native::gain_native_c", "params": [:]])
        #expect(add.has("action", "error"), "\(add)")

        #expect(try await server.uploadPlugin(try PluginFixtures.gainC()).status == 201)
        let removed = try await server.request(.DELETE, "/api/v1/plugins/plugin::native::gain_native_c")
        #expect(removed.status == 200, "\(removed.text)")
        #expect(server.nativeFiles.isEmpty)

        let missing = try await server.request(.DELETE, "/api/v1/plugins/plugin%3A%3Anative%3A%3Anope")
        #expect(missing.status == 404)
        #expect(missing.errorMessage?.contains("plugin::native::nope") == true)
        await client.close()
    }

    @Test("every bad upload is a 4xx that says what is wrong, and leaves nothing behind")
    func badUploads() async throws {
        let server = try await Self.managedServer { $0.plugins.maxUploadSize = 200_000 }
        defer { Task { await server.stop() } }
        #expect(try await server.uploadPlugin(try PluginFixtures.gainC()).status == 201)
        let source = PluginFixtures.brokenSource
        let cases: [(name: String, file: () throws -> (bytes: [UInt8], fileName: String), status: Int, message: String)] = [
            ("not a library", { (Array("#!/bin/sh\necho hi\n".utf8), "script.so") }, 422, "not a shared library"),
            ("zeros", { ([UInt8](repeating: 0, count: 1024), "invalid.so") }, 422, "not a shared library"),
            ("empty file", { ([], "empty.so") }, 422, "the file is empty"),
            ("no entry symbol", { (try Self.bytes(PluginFixtures.compile("noentry", source: source, defines: ["NO_ENTRY"])), "libnoentry.so") }, 422, "does not export the function 'streamkit_native_plugin_api'"),
            ("wrong version", { (try Self.bytes(PluginFixtures.compile("v3", source: source, defines: ["VERSION=3"])), "libv3.so") }, 422, "plugin has version 3, this host expects 2"),
            ("NULL metadata", { (try Self.bytes(PluginFixtures.compile("nullmeta", source: source, defines: ["NULL_METADATA"])), "libnullmeta.so") }, 422, "get_metadata returned NULL"),
            ("NULL kind", { (try Self.bytes(PluginFixtures.compile("nullkind", source: source, defines: ["NULL_KIND"])), "libnullkind.so") }, 422, "kind is NULL"),
            ("kind with ::", { (try Self.bytes(PluginFixtures.compile("colons", source: source, defines: ["KIND=\"audio::evil\""])), "libcolons.so") }, 422, "contains '::'"),
            ("kind with spaces", { (try Self.bytes(PluginFixtures.compile("spaces", source: source, defines: ["KIND=\"My Gain\""])), "libspaces.so") }, 422, "may only contain lowercase letters"),
            ("audio pin without format", { (try Self.bytes(PluginFixtures.compile("noformat", source: source, defines: ["NO_FORMAT"])), "libnoformat.so") }, 422, "RawAudio but has no audio_format"),
            ("schema not JSON", { (try Self.bytes(PluginFixtures.compile("badschema", source: source, defines: ["BAD_SCHEMA"])), "libbadschema.so") }, 422, "param_schema is not valid JSON"),
            ("undefined symbol (immediate binding)", {
                (try Self.bytes(PluginFixtures.compile("undefined", source: source, defines: ["MISSING_SYMBOL"], extraFlags: ["-Wl,--allow-shlib-undefined"])), "libundefined.so")
            }, 422, "streamkit_test_symbol_that_does_not_exist"),
            ("path in the file name", { (Array("x".utf8), "../evil.so") }, 400, "is a path"),
            ("absolute path", { (Array("x".utf8), "/tmp/evil.so") }, 400, "is a path"),
            ("no plugin extension", { (Array("x".utf8), "plugin.txt") }, 400, "no plugin extension"),
            ("versioned .so name", { (Array("x".utf8), "libx.so.1") }, 400, "no plugin extension"),
            ("too large", { ([UInt8](repeating: 0x7F, count: 300_000), "big.so") }, 413, "plugins.max_upload_size (200000 bytes)"),
        ]
        for item in cases {
            let file = try item.file()
            let reply = try await server.uploadPlugin(bytes: file.bytes, fileName: file.fileName)
            #expect(reply.status == item.status, "\(item.name): \(reply.status) \(reply.text)")
            if !item.message.isEmpty {
                #expect(reply.errorMessage?.contains(item.message) == true, "\(item.name): \(reply.text)")
            }
            #expect(server.stagingFiles.isEmpty, "\(item.name) left \(server.stagingFiles)")
            if item.status != 201 {
                #expect(server.nativeFiles == ["libgain_native_c.so"], "\(item.name): \(server.nativeFiles)")
            }
        }
        // A file name taken by another plugin's kind is a conflict, and the loaded one is untouched.
        let other = try PluginFixtures.compile("other", source: source, defines: ["KIND=\"other\""])
        let clash = try await server.uploadPlugin(other, as: "libgain_native_c.so")
        #expect(clash.status == 409, "\(clash.text)")
        #expect(clash.errorMessage?.contains("already used by plugin 'plugin::native::gain_native_c'") == true)
        // Missing field, second field.
        let empty = try await server.request(.POST, "/api/v1/plugins", headers: [("Content-Type", "multipart/form-data; boundary=x")], body: Array("--x\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--x--\r\n".utf8))
        #expect(empty.status == 400)
        #expect(empty.errorMessage == "Missing 'plugin' file field")
        // The server is healthy and the loaded plugin still works.
        #expect(try await server.get("/healthz").status == 200)
        let input = PluginWAV.sine(seconds: 0.2)
        let reply = try await server.process(yaml: pluginWAVPipeline(kind: "plugin::native::gain_native_c", params: "{gain_db: 0}"), media: input, mediaType: "audio/wav")
        #expect(reply.status == 200)
        #expect(PluginWAV.samples(reply.body)?.count == PluginWAV.samples(input)?.count)
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test("management disabled → 403 naming the setting; permissions and allowed_plugins are enforced")
    func managementAndPermissions() async throws {
        let library = try PluginFixtures.gainC()
        let locked = try await TestServer.start()
        let refused = try await locked.uploadPlugin(library)
        #expect(refused.status == 403)
        #expect(refused.errorMessage?.contains("allow_http_management = true") == true, "\(refused.text)")
        let refusedDelete = try await locked.request(.DELETE, "/api/v1/plugins/plugin::native::gain_native_c")
        #expect(refusedDelete.status == 403)
        #expect(try await locked.get("/api/v1/plugins").status == 200, "listing stays available")
        await locked.stop()

        let server = try await Self.managedServer { configuration in
            configuration.permissions.roleHeader = "x-role"
            var limited = RolePermissions.user
            limited.loadPlugins = true
            limited.allowedPlugins = ["plugin::native::other*"]
            configuration.permissions.roles["limited"] = limited
            var viewer = RolePermissions.user
            viewer.loadPlugins = false
            configuration.permissions.roles["viewer"] = viewer
        }
        defer { Task { await server.stop() } }
        let noLoad = try await server.uploadPlugin(library, headers: [("x-role", "viewer")])
        #expect(noLoad.status == 403)
        #expect(noLoad.errorMessage?.contains("load_plugins") == true)
        let notAllowed = try await server.uploadPlugin(library, headers: [("x-role", "limited")])
        #expect(notAllowed.status == 403, "\(notAllowed.text)")
        #expect(notAllowed.errorMessage?.contains("allowed_plugins") == true)
        #expect(server.nativeFiles.isEmpty && server.stagingFiles.isEmpty)
        #expect(try await server.uploadPlugin(library).status == 201)
        #expect(try await server.get("/api/v1/plugins", headers: [("x-role", "limited")]).json == [], "the list is filtered by allowed_plugins")
    }

    @Test("skit-cli plugins upload, list and delete drive the endpoints")
    func cliCommands() async throws {
        let server = try await Self.managedServer()
        defer { Task { await server.stop() } }
        let library = try PluginFixtures.gainC()
        try await SkitCLI.run(arguments: ["--server", server.baseURL, "plugins", "upload", library])
        #expect(server.state.plugins.plugin(kind: "plugin::native::gain_native_c")?.version == 1)
        try await SkitCLI.run(arguments: ["--server", server.baseURL, "plugins", "upload", library])
        #expect(server.state.plugins.plugin(kind: "plugin::native::gain_native_c")?.version == 2, "a re-upload replaces")
        try await SkitCLI.run(arguments: ["--server", server.baseURL, "plugins", "list"])
        try await SkitCLI.run(arguments: ["--server", server.baseURL, "plugins", "delete", "plugin::native::gain_native_c", "--keep-file"])
        #expect(server.state.plugins.plugins.isEmpty)
        #expect(server.nativeFiles == ["libgain_native_c.so"])
        await #expect(throws: (any Error).self) {
            try await SkitCLI.run(arguments: ["--server", server.baseURL, "plugins", "delete", "plugin::native::gain_native_c"])
        }
    }

    @Test("start-up loads the plugin directory and skips bad files")
    func startupLoadsDirectory() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skit-startup-\(UUID().uuidString)")
        let native = directory.appendingPathComponent("native")
        try FileManager.default.createDirectory(at: native, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try PluginFixtures.gainC(), toPath: native.appendingPathComponent("libgain_native_c.so").path)
        try Data(repeating: 0, count: 64).write(to: native.appendingPathComponent("broken.so"))
        try FileManager.default.copyItem(atPath: try PluginFixtures.compile("v3", source: PluginFixtures.brokenSource, defines: ["VERSION=3"]), toPath: native.appendingPathComponent("libv3.so").path)
        try Data("notes".utf8).write(to: native.appendingPathComponent("README.txt"))

        let server = try await TestServer.start { $0.plugins.directory = directory.path }
        defer { Task { await server.stop() } }
        let results = await server.state.plugins.loadAll()  // a second scan reports the same files
        #expect(results.count == 3, "only plugin extensions are candidates: \(results.map(\.file))")
        let listed = try await server.get("/api/v1/plugins")
        #expect(listed.json?.arrayValue?.compactMap { $0["kind"]?.stringValue } == ["plugin::native::gain_native_c"])
        let failures = results.compactMap { result -> String? in
            if case .failure(let error) = result.outcome { return "\(result.file): \(error)" }
            return nil
        }
        #expect(failures.contains { $0.contains("broken.so") && $0.contains("not a shared library") }, "\(failures)")
        #expect(failures.contains { $0.contains("libv3.so") && $0.contains("version 3") }, "\(failures)")
        let metrics = try await server.get("/metrics")
        #expect(metrics.text.contains("skit_plugins_loaded{plugin_type=\"native\"} 1"), "\(metrics.text.split(separator: "\n").filter { $0.contains("plugins") })")
    }
}
