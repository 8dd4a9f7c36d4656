import Foundation
import Hummingbird
import StreamKitCore
import StreamKitEngine

/// Dynamic sessions over HTTP: create from YAML, list, read the pipeline with live states, destroy.
enum SessionRoutes {
    static let maxRequestBytes = 2 * 1024 * 1024

    static func install(on router: some RouterMethods<APIRequestContext>, sessions: SessionService, maxBodySize: Int) {
        router.post("api/v1/sessions") { request, context in
            // Refused before the body is read.
            try context.caller.authorize(.createSession)
            var request = request
            let body = try await RequestBodies.json(&request, limit: min(maxRequestBytes, maxBodySize))
            guard let yaml = body["yaml"]?.stringValue else {
                throw APIError.badRequest("the request body must be a JSON object with a 'yaml' string (and an optional 'name')", code: "invalid_request")
            }
            let info = try await sessions.create(name: body["name"]?.stringValue, yaml: yaml, caller: context.caller)
            return JSONResponse.make([
                "session_id": .string(info.id), "name": .string(info.name),
                "created_at": .string(SessionInfo.timestamp(info.createdAt)),
            ])
        }

        router.get("api/v1/sessions") { _, context in
            let list = try await sessions.list(caller: context.caller)
            return JSONResponse.make(.array(list.map(\.json)))
        }

        router.get("api/v1/sessions/:session/pipeline") { _, context in
            let snapshot = try await sessions.pipeline(of: context.parameters.get("session") ?? "", caller: context.caller)
            return JSONResponse.make(pipelineJSON(snapshot))
        }

        router.delete("api/v1/sessions/:session") { _, context in
            let info = try await sessions.destroy(context.parameters.get("session") ?? "", caller: context.caller)
            return JSONResponse.make(["session_id": .string(info.id)])
        }
    }

    /// The original's `Pipeline` JSON, with each node's live `state`.
    static func pipelineJSON(_ snapshot: SessionSnapshot) -> JSONValue {
        var json = snapshot.pipeline.json.objectValue ?? JSONObject()
        if var nodes = json["nodes"]?.objectValue {
            for nodeID in nodes.keys {
                guard var node = nodes[nodeID]?.objectValue else { continue }
                if let nodeState = snapshot.states[nodeID] { node["state"] = nodeState.json }
                if let stats = snapshot.stats[nodeID] { node["stats"] = stats.json }
                nodes[nodeID] = .object(node)
            }
            json["nodes"] = .object(nodes)
        }
        json["name"] = snapshot.name.map { .string($0) }
        return .object(json)
    }
}
