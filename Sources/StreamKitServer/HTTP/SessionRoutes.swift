import Foundation
import Hummingbird
import StreamKitCore
import StreamKitEngine

/// Dynamic sessions over HTTP: create from YAML, list, read the pipeline with live states, destroy.
enum SessionRoutes {
    static let maxRequestBytes = 2 * 1024 * 1024

    static func install(on router: some RouterMethods<BasicRequestContext>, state: ServerState) {
        router.post("api/v1/sessions") { request, _ in
            let role = state.role(for: request.headers)
            guard role.permissions.createSessions else { throw APIError.forbidden("Permission denied: cannot create sessions") }
            var request = request
            let body = try await RequestBodies.json(&request, limit: min(maxRequestBytes, state.configuration.server.maxBodySize))
            guard let yaml = body["yaml"]?.stringValue else {
                throw APIError.badRequest("the request body must be a JSON object with a 'yaml' string (and an optional 'name')", code: "invalid_request")
            }
            let name = body["name"]?.stringValue
            let document: PipelineDocument
            do {
                document = try PipelineParser.parse(yaml)
            } catch let error as PipelineValidationError {
                throw APIError.invalidPipeline(error)
            }
            guard !document.nodes.isEmpty else {
                throw APIError.badRequest("Pipeline is empty. Add some nodes before creating a session.", code: "invalid_pipeline")
            }
            try Authorization.require(state.authorize(document, role: role, context: .dynamic))
            do {
                let entry = try await state.sessions.create(name: name, document: document, role: role.name)
                return JSONResponse.make([
                    "session_id": .string(entry.info.id), "name": .string(entry.info.name),
                    "created_at": .string(SessionInfo.timestamp(entry.info.createdAt)),
                ])
            } catch let error as SessionError {
                throw APIError.session(error)
            } catch let error as SessionLimitError {
                throw APIError(.tooManyRequests, code: "limit_reached", error.description)
            }
        }

        router.get("api/v1/sessions") { request, _ in
            let role = state.role(for: request.headers)
            guard role.permissions.listSessions else { throw APIError.forbidden("Permission denied: cannot list sessions") }
            let sessions = await state.sessions.list(role: role.name, all: role.permissions.accessAllSessions)
            return JSONResponse.make(.array(sessions.map(\.json)))
        }

        router.get("api/v1/sessions/:session/pipeline") { request, context in
            let role = state.role(for: request.headers)
            guard role.permissions.listSessions else { throw APIError.forbidden("Permission denied: cannot view pipelines") }
            let entry = try await owned(context.parameters.get("session"), role: role, state: state)
            let snapshot = await entry.session.snapshot()
            return JSONResponse.make(pipelineJSON(snapshot))
        }

        router.delete("api/v1/sessions/:session") { request, context in
            let role = state.role(for: request.headers)
            guard role.permissions.destroySessions else { throw APIError.forbidden("Permission denied: cannot destroy sessions") }
            let entry = try await owned(context.parameters.get("session"), role: role, state: state)
            await state.sessions.destroy(entry.info.id)
            return JSONResponse.make(["session_id": .string(entry.info.id)])
        }
    }

    /// The session named by id or name, if the caller may see it.
    static func owned(_ idOrName: String?, role: ResolvedRole, state: ServerState) async throws -> SessionManager.Entry {
        guard let idOrName, let entry = await state.sessions.find(idOrName) else {
            throw APIError.notFound("Session '\(idOrName ?? "")' not found")
        }
        guard role.permissions.accessAllSessions || entry.info.createdBy == role.name else {
            throw APIError.forbidden("Permission denied: you do not own this session")
        }
        return entry
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

/// Reading request bodies with the server's limits.
enum RequestBodies {
    /// The body as JSON, refusing anything over `limit` bytes with 413.
    static func json(_ request: inout Request, limit: Int) async throws -> JSONValue {
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw APIError.tooLarge("request body is larger than \(limit) bytes")
        }
        do {
            return try JSONValue.parse(String(buffer: buffer))
        } catch {
            throw APIError.badRequest("the request body is not valid JSON: \(error)", code: "invalid_json")
        }
    }
}

/// Turns authorization problems into one error response listing them all.
enum Authorization {
    static func require(_ problems: [AuthorizationProblem]) throws {
        guard let first = problems.first else { return }
        let forbidden = problems.contains { $0.category == .forbidden }
        let message = problems.count == 1 ? first.message : "\(problems.count) problems: " + problems.map(\.message).joined(separator: "; ")
        throw APIError(
            forbidden ? .forbidden : .badRequest, code: forbidden ? "forbidden" : "invalid_pipeline", message,
            issues: problems.map { problem in
                .object(["message": .string(problem.message), "node": .string(problem.nodeID), "kind": .string(problem.kind)])
            }
        )
    }
}
