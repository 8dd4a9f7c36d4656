import Foundation
import Logging
import StreamKitCore
import StreamKitEngine

/// The live dynamic sessions of a server, by id and by unique name.
public actor SessionManager {
    /// A session with the facts the server keeps about it.
    public struct Entry: Sendable {
        public var info: SessionInfo
        public var session: DynamicSession
    }

    public let registry: NodeRegistry
    public let engineConfiguration: EngineConfiguration
    public let maxSessions: Int?
    /// Every server event (session lifecycle and each session's own events).
    public nonisolated let events: EventBroadcaster<ServerEvent>
    private var entries: [String: Entry] = [:]
    private var order: [String] = []
    private var forwarders: [String: Task<Void, Never>] = [:]
    private let logger: Logger

    public init(registry: NodeRegistry, engineConfiguration: EngineConfiguration, maxSessions: Int?, eventCapacity: Int = 1024, logger: Logger) {
        self.registry = registry
        self.engineConfiguration = engineConfiguration
        self.maxSessions = maxSessions
        self.events = EventBroadcaster(subscriberCapacity: eventCapacity)
        self.logger = logger
    }

    /// Starts a session (empty, or from a pipeline document) owned by `role`.
    /// Throws `SessionError` with `.conflict` for a taken name, `.invalid` for a bad pipeline,
    /// and `.stopped`-free `ServerLimitError` when the limit is reached.
    public func create(name requested: String?, document: PipelineDocument?, role: String) async throws -> Entry {
        let name = requested?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let name, !name.isEmpty, entries.values.contains(where: { $0.info.name == name }) {
            throw SessionError(.conflict, "Session with name '\(name)' already exists")
        }
        if let maxSessions, entries.count >= maxSessions {
            throw SessionLimitError(limit: maxSessions)
        }
        let id = UUID().uuidString.lowercased()
        let finalName = (name?.isEmpty ?? true) ? SessionName.generate(for: id) : (name ?? id)
        let session: DynamicSession
        if let document {
            session = try await DynamicSession.start(id: id, name: finalName, document: document, registry: registry, configuration: engineConfiguration)
        } else {
            session = DynamicSession(id: id, name: finalName, registry: registry, configuration: engineConfiguration)
        }
        // Re-check after the await: another create may have taken the name or the last slot meanwhile.
        if entries.values.contains(where: { $0.info.name == finalName }) || (maxSessions.map { entries.count >= $0 } ?? false) {
            await session.shutdown()
            if let maxSessions, entries.count >= maxSessions { throw SessionLimitError(limit: maxSessions) }
            throw SessionError(.conflict, "Session with name '\(finalName)' already exists")
        }
        let info = SessionInfo(id: id, name: finalName, createdAt: Date(), createdBy: role)
        let entry = Entry(info: info, session: session)
        entries[id] = entry
        order.append(id)
        forwarders[id] = forward(session, info: info)
        events.publish(.sessionCreated(info))
        logger.info("session created", metadata: ["session": "\(id)", "name": "\(finalName)", "role": "\(role)"])
        return entry
    }

    /// The session with this id, else with this name.
    public func find(_ idOrName: String) -> Entry? {
        entries[idOrName] ?? entries.values.first { $0.info.name == idOrName }
    }

    /// Sessions in creation order; only those `role` owns unless `all`.
    public func list(role: String, all: Bool) -> [SessionInfo] {
        order.compactMap { entries[$0]?.info }.filter { all || $0.createdBy == role }
    }

    public var count: Int { entries.count }

    /// Every live session, in creation order.
    public func allEntries() -> [Entry] {
        order.compactMap { entries[$0] }
    }

    /// Removes a session and stops it (within the engine's shutdown deadline).
    @discardableResult
    public func destroy(_ idOrName: String) async -> SessionInfo? {
        guard let entry = find(idOrName) else { return nil }
        let id = entry.info.id
        entries[id] = nil
        order.removeAll { $0 == id }
        await entry.session.shutdown()
        forwarders.removeValue(forKey: id)?.cancel()
        events.publish(.sessionDestroyed(id: id, owner: entry.info.createdBy))
        logger.info("session destroyed", metadata: ["session": "\(id)"])
        return entry.info
    }

    /// Stops every session (server shutdown).
    public func destroyAll() async {
        let ids = order
        await withTaskGroup(of: Void.self) { group in
            for id in ids {
                group.addTask { await self.destroy(id) }
            }
        }
    }

    /// Relays a session's events onto the server's bus, tagged with the session and its owner.
    private func forward(_ session: DynamicSession, info: SessionInfo) -> Task<Void, Never> {
        let subscription = session.subscribe()
        let events = self.events
        return Task {
            for await item in subscription {
                guard case .event(let event) = item else { continue }
                if case .sessionStopped = event { continue }
                events.publish(.session(id: info.id, owner: info.createdBy, event))
            }
        }
    }
}

/// `max_concurrent_sessions` was reached.
public struct SessionLimitError: Error, Sendable, CustomStringConvertible {
    public var limit: Int
    public var description: String { "Maximum concurrent sessions limit reached (\(limit))" }
}
