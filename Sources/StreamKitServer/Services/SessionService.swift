import Logging
import StreamKitCore
import StreamKitEngine

/// Dynamic sessions for a caller: create, list, read, destroy, and every change to a running
/// session's graph (nodes, links, parameters, batches). The HTTP session routes, the WebSocket
/// control plane and the media sockets all call it, so each permission and the ownership rule are
/// decided here and nowhere else.
///
/// Functions throw ``ServiceError``; anything else that escapes (a node failing to build while a
/// session starts) is the engine's own error, passed on unchanged.
public struct SessionService: Sendable {
    let manager: SessionManager
    let gate: PipelineGate
    let logger: Logger

    /// Every server event (sessions created and destroyed, each session's own events, plugin changes).
    public var events: EventBroadcaster<ServerEvent> { manager.events }

    // MARK: Authorization

    /// The session named by id or name, when `caller` may do `operation` and may access this session.
    public func session(_ idOrName: String, for operation: ServiceOperation, caller: Caller) async throws(ServiceError) -> SessionManager.Entry {
        try caller.authorize(operation)
        guard let entry = await manager.find(idOrName) else {
            throw .notFound("Session '\(idOrName)' not found")
        }
        guard caller.mayAccess(sessionOwnedBy: entry.info.createdBy) else {
            throw .permissionDenied("you do not own this session")
        }
        return entry
    }

    // MARK: Lifecycle

    /// Starts a session: running the pipeline `yaml` (which must have nodes, all of which the caller
    /// may use), or, without `yaml`, empty, to be built node by node.
    public func create(name: String?, yaml: String?, caller: Caller) async throws -> SessionInfo {
        try caller.authorize(.createSession)
        guard let yaml else { return try await start(name: name, document: nil, caller: caller) }
        let document: PipelineDocument
        do {
            document = try PipelineParser.parse(yaml)
        } catch {
            throw ServiceError.invalidPipeline(error)
        }
        guard !document.nodes.isEmpty else {
            throw ServiceError.invalid(code: "invalid_pipeline", message: "Pipeline is empty. Add some nodes before creating a session.")
        }
        try gate.require(document, caller: caller, context: .dynamic)
        return try await start(name: name, document: document, caller: caller)
    }

    private func start(name: String?, document: PipelineDocument?, caller: Caller) async throws -> SessionInfo {
        do {
            return try await manager.create(name: name, document: document, role: caller.name).info
        } catch let error as SessionError {
            throw ServiceError.session(error)
        } catch let error as SessionLimitError {
            throw ServiceError.sessionLimit(error)
        }
    }

    /// The sessions `caller` may see, oldest first.
    public func list(caller: Caller) async throws(ServiceError) -> [SessionInfo] {
        try caller.authorize(.listSessions)
        return await manager.list(role: caller.name, all: caller.permissions.accessAllSessions)
    }

    /// The session's pipeline with each node's live state and stats.
    public func pipeline(of idOrName: String, caller: Caller) async throws(ServiceError) -> SessionSnapshot {
        let entry = try await session(idOrName, for: .viewPipeline, caller: caller)
        return await entry.session.snapshot()
    }

    /// Stops and removes the session; returns what it was.
    public func destroy(_ idOrName: String, caller: Caller) async throws(ServiceError) -> SessionInfo {
        let entry = try await session(idOrName, for: .destroySession, caller: caller)
        await manager.destroy(entry.info.id)
        return entry.info
    }

    // MARK: Changing a running session

    /// Adds a node (its kind and file paths checked against the caller's allowlists).
    public func addNode(_ node: String, kind: String, params: JSONValue?, to idOrName: String, caller: Caller) async throws(ServiceError) {
        let entry = try await session(idOrName, for: .modifySession, caller: caller)
        try gate.require(nodeID: node, kind: kind, params: params, caller: caller, operation: .add)
        try await engine { () async throws(SessionError) in try await entry.session.addNode(id: node, kind: kind, params: params) }
    }

    /// Removes a node and its links.
    public func removeNode(_ node: String, from idOrName: String, caller: Caller) async throws(ServiceError) {
        let entry = try await session(idOrName, for: .modifySession, caller: caller)
        try await engine { () async throws(SessionError) in try await entry.session.removeNode(id: node) }
    }

    /// Links two pins.
    public func connect(_ link: PipelineDocument.LinkSpec, in idOrName: String, caller: Caller) async throws(ServiceError) {
        let entry = try await session(idOrName, for: .modifySession, caller: caller)
        try await engine { () async throws(SessionError) in try await entry.session.connect(link) }
    }

    /// Removes a link.
    public func disconnect(_ link: LinkID, in idOrName: String, caller: Caller) async throws(ServiceError) {
        let entry = try await session(idOrName, for: .modifySession, caller: caller)
        try await engine { () async throws(SessionError) in try await entry.session.disconnect(link) }
    }

    /// Sends new parameters to a running node (the file paths among them checked); with
    /// `waitForReply`, returns once the node has taken them.
    func tune(
        _ node: String, message: NodeControlMessage, in idOrName: String, waitForReply: Bool, caller: Caller
    ) async throws(ServiceError) {
        let entry = try await session(idOrName, for: .tuneNodes, caller: caller)
        guard case .updateParams(let params) = message else {
            let name = message == .start ? "Start" : "Shutdown"
            throw .invalid(
                code: "unsupported_message",
                message: "Node control message '\(name)' is not supported: nodes start when connected, and are stopped by removing them"
            )
        }
        guard let kind = await entry.session.snapshot().pipeline.node(node)?.kind else {
            throw .notFound("no node named '\(node)' in this session")
        }
        try gate.require(nodeID: node, kind: kind, params: params, caller: caller, operation: .updateParams)
        try await engine { () async throws(SessionError) in
            _ = try await entry.session.tune(node: node, params: params, waitForReply: waitForReply)
        }
    }

    /// Every problem `operations` would run into on the session right now; empty when they would apply cleanly.
    func validateBatch(_ operations: [BatchOperation], on idOrName: String, caller: Caller) async throws(ServiceError) -> [BatchProblem] {
        let entry = try await session(idOrName, for: .modifySession, caller: caller)
        return await batch(for: caller).validate(operations, on: entry.session)
    }

    /// Applies `operations` all or none; returns the problems that kept them from applying.
    func applyBatch(_ operations: [BatchOperation], to idOrName: String, caller: Caller) async throws(ServiceError) -> [BatchProblem] {
        let entry = try await session(idOrName, for: .modifySession, caller: caller)
        return await batch(for: caller).apply(operations, to: entry.session)
    }

    private func batch(for caller: Caller) -> SessionBatch {
        SessionBatch(gate: gate, registry: manager.registry, caller: caller, logger: logger)
    }

    /// Runs an engine call, turning its `SessionError` into a service error.
    private func engine(_ body: () async throws(SessionError) -> Void) async throws(ServiceError) {
        do {
            try await body()
        } catch {
            throw .session(error)
        }
    }
}
