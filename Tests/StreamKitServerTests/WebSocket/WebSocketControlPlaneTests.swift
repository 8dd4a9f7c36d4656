import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdWSClient
import NIOCore
import NIOHTTP1
import StreamKitCore
@testable import StreamKitServer
import Testing

/// The WebSocket control plane against a real server on a loopback port.
@Suite("WebSocket control plane", .timeLimit(.minutes(2)))
struct WebSocketControlPlaneTests {
    @Test("session lifecycle end to end: create, add, connect, run, tune, destroy")
    func endToEnd() async throws {
        let server = try await ControlTestServer.start()
        let client = try await ControlTestClient.connect(server.url())
        let watcher = try await ControlTestClient.connect(server.url())

        let permissions = try await client.request(["action": "getpermissions"])
        #expect(permissions.has("action", "permissions"))
        #expect(permissions.has("role", "admin"))
        #expect(permissions["permissions"]?["tune_nodes"] == .bool(true))
        #expect(permissions["permissions"]?.objectValue?.count == 15)

        let created = try await client.request(["action": "createsession", "name": "ws-e2e"])
        #expect(created.has("action", "sessioncreated"))
        #expect(created.has("name", "ws-e2e"))
        let sessionID = try #require(created["session_id"]?.stringValue)
        let announced = try await watcher.event { $0.has("event", "sessioncreated") }
        #expect(announced.has("session_id", sessionID))
        #expect(announced["created_at"]?.stringValue != nil)

        let session = JSONValue.string(sessionID)
        for (node, kind, params) in [
            ("tone", "audio::tone", ["duration_ms": 0, "frequency": 440] as JSONValue),
            ("gain", "audio::gain", ["gain": 1.0] as JSONValue),
            ("sink", "core::sink", JSONValue.null),
        ] {
            let reply = try await client.request(["action": "addnode", "session_id": session, "node_id": .string(node), "kind": .string(kind), "params": params])
            #expect(reply == ["action": "success"], "addnode \(node): \(reply)")
        }
        let added = try await watcher.event { $0.has("event", "nodeadded") && $0.has("node_id", "gain") }
        #expect(added.has("kind", "audio::gain"))
        #expect(added.has("session_id", sessionID))

        // Engine errors come back with the engine's message.
        let badPin = try await client.request([
            "action": "connect", "session_id": session, "from_node": "tone", "from_pin": "nope", "to_node": "gain", "to_pin": "in",
        ])
        #expect(badPin.has("action", "error"))
        #expect(badPin["message"]?.stringValue?.contains("no output pin 'nope'") == true, "\(badPin)")

        // By name as well as by id.
        let first = try await client.request(["action": "connect", "session_id": "ws-e2e", "from_node": "tone", "from_pin": "out", "to_node": "gain", "to_pin": "in"])
        #expect(first == ["action": "success"], "\(first)")
        let second = try await client.request([
            "action": "connect", "session_id": session, "from_node": "gain", "from_pin": "out", "to_node": "sink", "to_pin": "in", "mode": "best_effort",
        ])
        #expect(second == ["action": "success"], "\(second)")
        let link = try await watcher.event { $0.has("event", "connectionadded") && $0.has("to_node", "sink") }
        #expect(link.has("mode", "best_effort"))
        #expect(link.has("from_node", "gain"))

        let running = try await client.event { $0.has("event", "nodestatechanged") && $0.has("node_id", "tone") && $0["state"] == "Running" }
        #expect(running.has("session_id", sessionID))
        #expect(running["timestamp"]?.stringValue != nil)

        let tuned = try await client.request([
            "action": "tunenode", "session_id": session, "node_id": "gain", "message": ["UpdateParams": ["gain": 0.5]],
        ])
        #expect(tuned == ["action": "success"], "\(tuned)")
        let changed = try await watcher.event { $0.has("event", "nodeparamschanged") && $0.has("node_id", "gain") }
        #expect(changed["params"]?["gain"] == .number(0.5))

        let refused = try await client.request([
            "action": "tunenode", "session_id": session, "node_id": "gain", "message": ["UpdateParams": ["gain": 99]],
        ])
        #expect(refused.has("action", "error"))
        let reason = refused["message"]?.stringValue ?? ""
        #expect(reason.contains("gain"), "\(reason)")
        #expect(reason.contains("4"), "the reason names the limit: \(reason)")

        let start = try await client.request(["action": "tunenode", "session_id": session, "node_id": "gain", "message": "Start"])
        #expect(start["message"]?.stringValue?.contains("not supported") == true)

        let pipeline = try await client.request(["action": "getpipeline", "session_id": session])
        #expect(pipeline.has("action", "pipeline"))
        let document = try #require(pipeline["pipeline"])
        #expect(document.has("mode", "dynamic"))
        #expect(document["nodes"]?.objectValue?.keys.sorted() == ["gain", "sink", "tone"])
        #expect(document["nodes"]?["gain"]?["params"]?["gain"] == .number(0.5))
        #expect(document["nodes"]?["tone"]?["state"] == "Running")
        #expect(document["connections"]?.arrayValue?.count == 2)
        #expect(document["connections"]?.arrayValue?.last?["mode"] == "best_effort")

        let listed = try await client.request(["action": "listsessions"])
        #expect(listed["sessions"]?.arrayValue?.contains { $0.has("id", sessionID) && $0.has("name", "ws-e2e") } == true)
        let nodes = try await client.request(["action": "listnodes"])
        #expect(nodes["nodes"]?.arrayValue?.contains { $0.has("kind", "audio::gain") } == true)
        #expect(nodes["nodes"]?.arrayValue?.contains { $0.has("kind", "streamkit::http_input") } == true)

        let removed = try await client.request(["action": "disconnect", "session_id": session, "from_node": "gain", "from_pin": "out", "to_node": "sink", "to_pin": "in"])
        #expect(removed == ["action": "success"])
        _ = try await watcher.event { $0.has("event", "connectionremoved") && $0.has("to_node", "sink") }
        let dropped = try await client.request(["action": "removenode", "session_id": session, "node_id": "sink"])
        #expect(dropped == ["action": "success"])
        _ = try await watcher.event { $0.has("event", "noderemoved") && $0.has("node_id", "sink") }

        let destroyed = try await client.request(["action": "destroysession", "session_id": "ws-e2e"])
        #expect(destroyed == ["action": "sessiondestroyed", "session_id": session])
        let gone = try await watcher.event { $0.has("event", "sessiondestroyed") }
        #expect(gone.has("session_id", sessionID))
        let missing = try await client.request(["action": "getpipeline", "session_id": session])
        #expect(missing == ["action": "error", "message": .string("Session '\(sessionID)' not found")])

        await client.close()
        await watcher.close()
        await server.stop()
    }

    @Test("a role without permissions is refused with the original's messages, and sees only its own sessions")
    func permissionRefusals() async throws {
        let server = try await ControlTestServer.start { configuration in
            var limited = RolePermissions()
            limited.createSessions = true
            limited.listSessions = true
            limited.modifySessions = true
            limited.allowedNodes = ["audio::*"]
            configuration.permissions.roles["limited"] = limited
            configuration.permissions.defaultRole = "limited"
        }
        let others = try await server.state.sessions.create(name: "someone-else", document: nil, role: "admin")
        let client = try await ControlTestClient.connect(server.url())

        let permissions = try await client.request(["action": "getpermissions"])
        #expect(permissions.has("role", "limited"))
        #expect(permissions["permissions"]?["tune_nodes"] == .bool(false))
        #expect(permissions["permissions"]?["create_sessions"] == .bool(true))

        let created = try await client.request(["action": "createsession"])
        let sessionID = try #require(created["session_id"]?.stringValue)
        #expect(created["name"]?.stringValue?.isEmpty == false)
        let session = JSONValue.string(sessionID)

        let tone = try await client.request(["action": "addnode", "session_id": session, "node_id": "tone", "kind": "audio::tone"])
        #expect(tone == ["action": "success"])
        let sink = try await client.request(["action": "addnode", "session_id": session, "node_id": "out", "kind": "core::sink"])
        #expect(sink["message"]?.stringValue?.hasPrefix("Permission denied: node type 'core::sink' not allowed") == true, "\(sink)")

        let tune = try await client.request(["action": "tunenode", "session_id": session, "node_id": "tone", "message": ["UpdateParams": ["frequency": 220]]])
        #expect(tune == ["action": "error", "message": "Permission denied: cannot tune nodes"])
        let destroy = try await client.request(["action": "destroysession", "session_id": session])
        #expect(destroy == ["action": "error", "message": "Permission denied: cannot destroy sessions"])
        let list = try await client.request(["action": "listnodes"])
        #expect(list == ["action": "error", "message": "Permission denied: cannot list nodes"])

        // Another role's session: invisible in listings, not addressable.
        let listed = try await client.request(["action": "listsessions"])
        #expect(listed["sessions"]?.arrayValue?.map { $0["id"]?.stringValue } == [sessionID])
        let foreign = try await client.request(["action": "getpipeline", "session_id": .string(others.info.id)])
        #expect(foreign == ["action": "error", "message": "Permission denied: you do not own this session"])
        let foreignAdd = try await client.request(["action": "addnode", "session_id": "someone-else", "node_id": "x", "kind": "audio::gain"])
        #expect(foreignAdd == ["action": "error", "message": "Permission denied: you do not own this session"])

        // Events of the foreign session are filtered out; those of its own session arrive.
        try await others.session.addNode(id: "hidden", kind: "audio::gain", params: nil)
        let mine = try await client.request(["action": "addnode", "session_id": session, "node_id": "visible", "kind": "audio::gain"])
        #expect(mine == ["action": "success"])
        _ = try await client.event { $0.has("event", "nodeadded") && $0.has("node_id", "visible") }
        #expect(!client.events.contains { $0.has("session_id", others.info.id) })
        #expect(!client.events.contains { $0.has("event", "sessioncreated") && $0.has("session_id", others.info.id) })

        await client.close()

        // A role with nothing at all.
        let denied = try await ControlTestServer.start { configuration in
            configuration.permissions.roles["nobody"] = RolePermissions()
            configuration.permissions.defaultRole = "nobody"
        }
        let nobody = try await ControlTestClient.connect(denied.url())
        let create = try await nobody.request(["action": "createsession", "name": "x"])
        #expect(create == ["action": "error", "message": "Permission denied: cannot create sessions"])
        let sessions = try await nobody.request(["action": "listsessions"])
        #expect(sessions == ["action": "error", "message": "Permission denied: cannot list sessions"])
        let modify = try await nobody.request(["action": "applybatch", "session_id": "x", "operations": []])
        #expect(modify == ["action": "error", "message": "Permission denied: cannot modify sessions"])
        let view = try await nobody.request(["action": "getpipeline", "session_id": "x"])
        #expect(view == ["action": "error", "message": "Permission denied: cannot view pipelines"])
        await nobody.close()
        await denied.stop()
        await server.stop()
    }

    @Test("an upgrade from a foreign Origin is refused (403 for plain requests), also under base_path")
    func originRefused() async throws {
        let server = try await ControlTestServer.start { configuration in
            configuration.server.basePath = "/s/test"
        }
        for prefix in ["", "/s/test"] {
            let url = "http://127.0.0.1:\(server.port)\(prefix)/api/v1/control"
            // The same request without the handshake reaches the HTTP router: 403 with the original's text.
            var plain = HTTPClientRequest(url: url)
            plain.headers.add(name: "Origin", value: "https://evil.example")
            let response = try await HTTPClient.shared.execute(plain, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 4096)
            #expect(response.status == .forbidden, "\(prefix)")
            #expect(String(buffer: body) == "WebSocket Origin not allowed")
            let noUpgrade = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            #expect(noUpgrade.status.code == 426)

            var headers = HTTPFields()
            headers[.origin] = "https://evil.example"
            // A real handshake from a foreign origin is refused before any WebSocket exists.
            // (Hummingbird answers every refused handshake itself, with an empty 400.)
            let refused = try await ControlTestClient.connect(server.url(prefix), headers: headers, paused: true)
            #expect(await refused.waitUntilClosed())
            #expect(refused.upgradeError.map { "\($0)" } == "WebSocket upgrade failed")
            await refused.close()

            // An allowed browser origin and a client without Origin both connect.
            headers[.origin] = "http://localhost:5173"
            let browser = try await ControlTestClient.connect(server.url(prefix), headers: headers)
            #expect(try await browser.request(["action": "getpermissions"]).has("role", "admin"))
            await browser.close()
        }
        await server.stop()
    }

    @Test("unparseable messages get an error without correlation id and the connection goes on; oversized ones close it")
    func invalidMessages() async throws {
        let server = try await ControlTestServer.start(options: ControlPlane.Options(maxMessageBytes: 1024))
        let client = try await ControlTestClient.connect(server.url())

        client.sendRaw("this is not json")
        let invalid = try await client.waitFor { $0["payload"]?["message"]?.stringValue?.hasPrefix("Invalid JSON: ") == true }
        #expect(invalid.has("type", "response"))
        #expect(invalid["correlation_id"] == nil)
        #expect(invalid["payload"]?.has("action", "error") == true)

        client.sendRaw(#"{"type":"request","correlation_id":"u1","payload":{"action":"frobnicate"}}"#)
        _ = try await client.waitFor { $0["payload"]?["message"]?.stringValue?.contains("frobnicate") == true }
        client.sendRaw(#"{"type":"request","correlation_id":"u2","payload":{"action":"addnode","session_id":"x"}}"#)
        let missing = try await client.waitFor { $0["payload"]?["message"]?.stringValue?.contains("node_id") == true }
        #expect(missing["payload"]?["message"]?.stringValue?.hasPrefix("Invalid JSON: ") == true)

        // Still alive.
        #expect(try await client.request(["action": "getpermissions"]).has("action", "permissions"))

        let big = JSONValue.object(["type": "request", "payload": ["action": "createsession", "name": .string(String(repeating: "x", count: 1500))]])
        client.sendRaw(big.jsonString())
        let tooLarge = try await client.waitFor { $0["payload"]?["message"]?.stringValue?.hasPrefix("WebSocket message too large") == true }
        #expect(tooLarge["payload"]?["message"] == "WebSocket message too large (max 1024 bytes)")
        #expect(tooLarge["correlation_id"] == nil)
        #expect(await client.waitUntilClosed())
        #expect(await server.state.sessions.count == 0)
        await client.close()
        await server.stop()
    }

    @Test("validatebatch lists every problem; applybatch is all or nothing")
    func batches() async throws {
        let server = try await ControlTestServer.start()
        let client = try await ControlTestClient.connect(server.url())
        let created = try await client.request(["action": "createsession", "name": "batch"])
        let session = try #require(created["session_id"])
        for (node, kind) in [("tone", "audio::tone"), ("sink", "core::sink")] {
            let reply = try await client.request(["action": "addnode", "session_id": session, "node_id": .string(node), "kind": .string(kind), "params": node == "tone" ? ["duration_ms": 0] : .null])
            #expect(reply == ["action": "success"])
        }
        let linked = try await client.request(["action": "connect", "session_id": session, "from_node": "tone", "from_pin": "out", "to_node": "sink", "to_pin": "in"])
        #expect(linked == ["action": "success"])
        let before = try await client.request(["action": "getpipeline", "session_id": session])

        // The third operation is invalid (unknown kind); the fourth refers to it.
        let bad: JSONValue = [
            ["action": "disconnect", "from_node": "tone", "from_pin": "out", "to_node": "sink", "to_pin": "in"],
            ["action": "addnode", "node_id": "g", "kind": "audio::gain", "params": ["gain": 2]],
            ["action": "addnode", "node_id": "broken", "kind": "audio::does_not_exist"],
            ["action": "connect", "from_node": "g", "from_pin": "sideways", "to_node": "sink", "to_pin": "in"],
        ]
        let validation = try await client.request(["action": "validatebatch", "session_id": session, "operations": bad])
        #expect(validation.has("action", "validationresult"))
        let errors = validation["errors"]?.arrayValue ?? []
        #expect(errors.contains { $0.has("node_id", "broken") && $0["message"]?.stringValue?.contains("unknown node kind") == true }, "\(errors)")
        #expect(errors.contains { $0.has("node_id", "g") && $0["message"]?.stringValue?.contains("sideways") == true }, "\(errors)")
        #expect(errors.allSatisfy { $0.has("error_type", "error") })

        let applied = try await client.request(["action": "applybatch", "session_id": session, "operations": bad])
        #expect(applied.has("action", "batchapplied"))
        #expect(applied["success"] == .bool(false))
        #expect((applied["errors"]?.arrayValue?.count ?? 0) >= 2)
        let after = try await client.request(["action": "getpipeline", "session_id": session])
        #expect(after["pipeline"]?["nodes"]?.objectValue?.keys == before["pipeline"]?["nodes"]?.objectValue?.keys)
        #expect(after["pipeline"]?["connections"] == before["pipeline"]?["connections"])
        #expect(!client.events.contains { $0.has("node_id", "g") })

        // A good batch: reroute tone -> gain -> sink. Its changes are announced like any other.
        let good: JSONValue = [
            ["action": "disconnect", "from_node": "tone", "from_pin": "out", "to_node": "sink", "to_pin": "in"],
            ["action": "addnode", "node_id": "g", "kind": "audio::gain", "params": ["gain": 2]],
            ["action": "connect", "from_node": "tone", "from_pin": "out", "to_node": "g", "to_pin": "in"],
            ["action": "connect", "from_node": "g", "from_pin": "out", "to_node": "sink", "to_pin": "in"],
        ]
        let clean = try await client.request(["action": "validatebatch", "session_id": session, "operations": good])
        #expect(clean == ["action": "validationresult", "errors": []])
        let done = try await client.request(["action": "applybatch", "session_id": session, "operations": good])
        #expect(done == ["action": "batchapplied", "success": true, "errors": []])
        _ = try await client.event { $0.has("event", "nodeadded") && $0.has("node_id", "g") }
        _ = try await client.event { $0.has("event", "connectionadded") && $0.has("from_node", "g") }
        let rerouted = try await client.request(["action": "getpipeline", "session_id": session])
        #expect(rerouted["pipeline"]?["nodes"]?.objectValue?.keys.sorted() == ["g", "sink", "tone"])
        #expect(rerouted["pipeline"]?["connections"]?.arrayValue?.count == 2)

        await client.close()
        await server.stop()
    }

    @Test("a client that never reads stalls nobody, and is told how many events it lost")
    func slowClient() async throws {
        let server = try await ControlTestServer.start(options: ControlPlane.Options(outboundQueueCapacity: 4))
        let stalled = try await ControlTestClient.connect(server.url(), paused: true)
        let driver = try await ControlTestClient.connect(server.url())
        let created = try await driver.request(["action": "createsession", "name": "busy"])
        let session = try #require(created["session_id"])
        _ = try await driver.request(["action": "addnode", "session_id": session, "node_id": "gain", "kind": "audio::gain"])

        // Each update carries a large (unknown, ignored) field so the socket buffers fill quickly.
        let padding = JSONValue.string(String(repeating: "p", count: 4000))
        let updates = 3000
        let started = ContinuousClock.now
        for round in 0..<(updates / 100) {
            for step in 0..<100 {
                let gain = Double((round * 100 + step) % 300) / 100
                driver.send(["action": "tunenodeasync", "session_id": session, "node_id": "gain", "message": ["UpdateParams": ["gain": .number(gain), "note": padding]]])
            }
            // The session keeps answering while the other client is stuck.
            let reply = try await driver.request(["action": "tunenode", "session_id": session, "node_id": "gain", "message": ["UpdateParams": ["gain": 1.5]]])
            #expect(reply == ["action": "success"])
        }
        let last = try await driver.event(timeout: .seconds(30)) { event in
            event.has("event", "nodeparamschanged") && event["params"]?["gain"] == .number(1.5) && event["params"]?["note"] != nil
        }
        #expect(last.has("node_id", "gain"))
        #expect(ContinuousClock.now - started < .seconds(60))
        let driverChanges = driver.events.filter { $0.has("event", "nodeparamschanged") }.count

        stalled.startReading()
        let notice = try await stalled.event(timeout: .seconds(30)) { $0.has("event", "eventsdropped") }
        #expect((notice["count"]?.intValue ?? 0) > 0)
        // Everything published reaches the stalled client in the end, as an event or in a drop count.
        let total = updates + updates / 100
        let deadline = ContinuousClock.now + .seconds(30)
        var accounted = 0
        while ContinuousClock.now < deadline {
            let events = stalled.events
            let changes = events.filter { $0.has("event", "nodeparamschanged") }.count
            let lost = events.filter { $0.has("event", "eventsdropped") }.compactMap { $0["count"]?.intValue }.reduce(0, +)
            accounted = changes + lost
            if accounted >= total { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(accounted >= total, "stalled client: \(accounted) of \(total) events accounted for")
        #expect(driverChanges > 0)
        await stalled.close()
        await driver.close()
        await server.stop()
    }
}
