import Foundation
import Logging
import StreamKitCore
import StreamKitEngine

/// Carries out control requests (§5.3) for one connection, with the role resolved when it connected.
///
/// Every failure becomes `{"action":"error","message":…}`; the engine's own messages (which name
/// the node, pin and types involved) are passed through unchanged.
struct ControlRequestHandler: Sendable {
    let state: ServerState
    let role: ResolvedRole
    let logger: Logger

    /// A refusal, answered as an error response.
    struct Refusal: Error, Sendable {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// Handles one request. Returns the response payload, or nil when the request is never
    /// answered (`tunenodeasync`).
    func handle(_ action: ControlAction) async -> JSONValue? {
        do {
            return try await perform(action)
        } catch let refusal as Refusal {
            if case .tuneNode(_, _, _, true) = action {
                logger.warning("tunenodeasync failed", metadata: ["error": "\(refusal.message)"])
                return nil
            }
            return ControlCodec.error(refusal.message)
        } catch {
            // Only `Refusal` is thrown by `perform`; anything else is still reported, never swallowed.
            return ControlCodec.error("\(error)")
        }
    }

    private func perform(_ action: ControlAction) async throws -> JSONValue? {
        let permissions = role.permissions
        switch action {
        case .createSession(let name):
            guard permissions.createSessions else { throw Refusal("Permission denied: cannot create sessions") }
            let entry: SessionManager.Entry
            do {
                entry = try await state.sessions.create(name: name, document: nil, role: role.name)
            } catch let error as SessionError {
                throw Refusal(error.message)
            } catch is SessionLimitError {
                throw Refusal("Maximum concurrent sessions limit reached")
            }
            return [
                "action": "sessioncreated", "session_id": .string(entry.info.id), "name": .string(entry.info.name),
                "created_at": .string(SessionInfo.timestamp(entry.info.createdAt)),
            ]

        case .destroySession(let idOrName):
            guard permissions.destroySessions else { throw Refusal("Permission denied: cannot destroy sessions") }
            let entry = try await ownedSession(idOrName)
            await state.sessions.destroy(entry.info.id)
            return ["action": "sessiondestroyed", "session_id": .string(entry.info.id)]

        case .listSessions:
            guard permissions.listSessions else { throw Refusal("Permission denied: cannot list sessions") }
            let sessions = await state.sessions.list(role: role.name, all: permissions.accessAllSessions)
            return ["action": "sessionslisted", "sessions": .array(sessions.map(\.json))]

        case .listNodes:
            guard permissions.listNodes else { throw Refusal("Permission denied: cannot list nodes") }
            let nodes = state.visibleNodeDefinitions(for: role).map(\.json)
            return ["action": "nodeslisted", "nodes": .array(nodes)]

        case .getPipeline(let idOrName):
            guard permissions.listSessions else { throw Refusal("Permission denied: cannot view pipelines") }
            let entry = try await ownedSession(idOrName)
            let snapshot = await entry.session.snapshot()
            return ["action": "pipeline", "pipeline": Self.pipelineJSON(snapshot)]

        case .addNode(let idOrName, let node, let kind, let params):
            let entry = try await modifiableSession(idOrName)
            try authorize(nodeID: node, kind: kind, params: params, operation: .add)
            try await engine { () async throws(SessionError) in
                try await entry.session.addNode(id: node, kind: kind, params: params)
            }
            return ControlCodec.success

        case .removeNode(let idOrName, let node):
            let entry = try await modifiableSession(idOrName)
            try await engine { () async throws(SessionError) in try await entry.session.removeNode(id: node) }
            return ControlCodec.success

        case .connect(let idOrName, let link):
            let entry = try await modifiableSession(idOrName)
            try await engine { () async throws(SessionError) in try await entry.session.connect(link) }
            return ControlCodec.success

        case .disconnect(let idOrName, let link):
            let entry = try await modifiableSession(idOrName)
            try await engine { () async throws(SessionError) in try await entry.session.disconnect(link) }
            return ControlCodec.success

        case .tuneNode(let idOrName, let node, let message, let async):
            guard permissions.tuneNodes else { throw Refusal("Permission denied: cannot tune nodes") }
            let entry = try await ownedSession(idOrName)
            guard case .updateParams(let params) = message else {
                let name = message == .start ? "Start" : "Shutdown"
                throw Refusal("Node control message '\(name)' is not supported: nodes start when connected, and are stopped by removing them")
            }
            guard let kind = await entry.session.snapshot().pipeline.node(node)?.kind else {
                throw Refusal("no node named '\(node)' in this session")
            }
            try authorize(nodeID: node, kind: kind, params: params, operation: .updateParams)
            try await engine { () async throws(SessionError) in
                try await entry.session.tune(node: node, params: params, waitForReply: !async)
            }
            return async ? nil : ControlCodec.success

        case .validateBatch(let idOrName, let operations):
            let entry = try await modifiableSession(idOrName)
            let batch = ControlBatch(state: state, role: role, logger: logger)
            let problems = await batch.validate(operations, on: entry.session)
            return ["action": "validationresult", "errors": .array(problems.map(\.json))]

        case .applyBatch(let idOrName, let operations):
            let entry = try await modifiableSession(idOrName)
            let batch = ControlBatch(state: state, role: role, logger: logger)
            let problems = await batch.apply(operations, to: entry.session)
            return [
                "action": "batchapplied", "success": .bool(problems.isEmpty),
                "errors": .array(problems.map { .string($0.message) }),
            ]

        case .getPermissions:
            let flags = JSONObject(permissions.flags.map { ($0.name, JSONValue.bool($0.value)) })
            return ["action": "permissions", "role": .string(role.name), "permissions": .object(flags)]
        }
    }

    // MARK: Checks

    /// The session named by id or name, if the caller owns it (or may access every session).
    private func ownedSession(_ idOrName: String) async throws(Refusal) -> SessionManager.Entry {
        guard let entry = await state.sessions.find(idOrName) else {
            throw Refusal("Session '\(idOrName)' not found")
        }
        guard role.permissions.accessAllSessions || entry.info.createdBy == role.name else {
            throw Refusal("Permission denied: you do not own this session")
        }
        return entry
    }

    /// `modify_sessions`, then the owned session.
    private func modifiableSession(_ idOrName: String) async throws(Refusal) -> SessionManager.Entry {
        guard role.permissions.modifySessions else { throw Refusal("Permission denied: cannot modify sessions") }
        return try await ownedSession(idOrName)
    }

    /// Node kind allowlists and file paths in parameters; every problem is reported in one message.
    private func authorize(nodeID: String, kind: String, params: JSONValue?, operation: PipelineAuthorizer.NodeOperation) throws(Refusal) {
        let problems = state.logDetails(PipelineAuthorizer.check(
            nodeID: nodeID, kind: kind, params: params, permissions: role.permissions, paths: state.paths,
            context: .dynamic, operation: operation
        ), role: role)
        guard !problems.isEmpty else { return }
        throw Refusal(problems.map(\.message).joined(separator: "; "))
    }

    /// Runs an engine call, turning its `SessionError` into a refusal with the engine's message.
    private func engine(_ body: () async throws(SessionError) -> Void) async throws(Refusal) {
        do {
            try await body()
        } catch {
            throw Refusal(error.message)
        }
    }

    // MARK: Encoding

    /// The original's `Pipeline` JSON (`mode`, `nodes` in order, `connections`), each node with its live `state`.
    static func pipelineJSON(_ snapshot: SessionSnapshot) -> JSONValue {
        var document = snapshot.pipeline
        document.name = nil
        document.description = nil
        document.mode = .dynamic
        guard var pipeline = document.json.objectValue, var nodes = pipeline["nodes"]?.objectValue else {
            return document.json
        }
        for nodeID in nodes.keys {
            guard var node = nodes[nodeID]?.objectValue, let nodeState = snapshot.states[nodeID] else { continue }
            node["state"] = nodeState.json
            nodes[nodeID] = .object(node)
        }
        pipeline["nodes"] = .object(nodes)
        return .object(pipeline)
    }
}
