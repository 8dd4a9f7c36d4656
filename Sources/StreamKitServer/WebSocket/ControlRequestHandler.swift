import Foundation
import Logging
import StreamKitCore
import StreamKitEngine

/// Carries out control requests (§5.3) for one connection, with the caller resolved when it connected.
///
/// Each request is parsed already; this calls the one service function for it and encodes the
/// answer. Every failure becomes `{"action":"error","message":…}` (``ServiceError/controlReply``);
/// the engine's own messages (which name the node, pin and types involved) are passed through unchanged.
struct ControlRequestHandler: Sendable {
    let sessions: SessionService
    let nodes: NodeCatalog
    let caller: Caller
    let logger: Logger

    /// Handles one request. Returns the response payload, or nil when the request is never
    /// answered (`tunenodeasync`).
    func handle(_ action: ControlAction) async -> JSONValue? {
        do {
            return try await perform(action)
        } catch let error as ServiceError {
            if case .tuneNode(_, _, _, true) = action {
                logger.warning("tunenodeasync failed", metadata: ["error": "\(error.controlMessage)"])
                return nil
            }
            return error.controlReply
        } catch {
            // Services throw `ServiceError`; anything else (the engine failing to start a node) is still
            // reported, never swallowed.
            return ControlCodec.error("\(error)")
        }
    }

    private func perform(_ action: ControlAction) async throws -> JSONValue? {
        switch action {
        case .createSession(let name):
            let info = try await sessions.create(name: name, yaml: nil, caller: caller)
            return [
                "action": "sessioncreated", "session_id": .string(info.id), "name": .string(info.name),
                "created_at": .string(SessionInfo.timestamp(info.createdAt)),
            ]

        case .destroySession(let idOrName):
            let info = try await sessions.destroy(idOrName, caller: caller)
            return ["action": "sessiondestroyed", "session_id": .string(info.id)]

        case .listSessions:
            let list = try await sessions.list(caller: caller)
            return ["action": "sessionslisted", "sessions": .array(list.map(\.json))]

        case .listNodes:
            return ["action": "nodeslisted", "nodes": .array(try nodes.list(caller: caller).map(\.json))]

        case .getPipeline(let idOrName):
            let snapshot = try await sessions.pipeline(of: idOrName, caller: caller)
            return ["action": "pipeline", "pipeline": Self.pipelineJSON(snapshot)]

        case .addNode(let idOrName, let node, let kind, let params):
            try await sessions.addNode(node, kind: kind, params: params, to: idOrName, caller: caller)
            return ControlCodec.success

        case .removeNode(let idOrName, let node):
            try await sessions.removeNode(node, from: idOrName, caller: caller)
            return ControlCodec.success

        case .connect(let idOrName, let link):
            try await sessions.connect(link, in: idOrName, caller: caller)
            return ControlCodec.success

        case .disconnect(let idOrName, let link):
            try await sessions.disconnect(link, in: idOrName, caller: caller)
            return ControlCodec.success

        case .tuneNode(let idOrName, let node, let message, let async):
            try await sessions.tune(node, message: message, in: idOrName, waitForReply: !async, caller: caller)
            return async ? nil : ControlCodec.success

        case .validateBatch(let idOrName, let operations):
            let problems = try await sessions.validateBatch(operations, on: idOrName, caller: caller)
            return ["action": "validationresult", "errors": .array(problems.map(\.json))]

        case .applyBatch(let idOrName, let operations):
            let problems = try await sessions.applyBatch(operations, to: idOrName, caller: caller)
            return [
                "action": "batchapplied", "success": .bool(problems.isEmpty),
                "errors": .array(problems.map { .string($0.message) }),
            ]

        case .getPermissions:
            return ["action": "permissions", "role": .string(caller.name), "permissions": caller.permissionFlags]
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
