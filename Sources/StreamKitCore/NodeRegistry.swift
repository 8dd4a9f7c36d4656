import Synchronization

/// The node kinds a server or a run knows. Plugins add and remove kinds while it runs.
public final class NodeRegistry: Sendable {
    private let definitions: Mutex<[String: NodeDefinition]>
    private let order: Mutex<[String]>
    private let changes = Atomic<UInt64>(0)

    /// Increases whenever a kind is registered or removed, so caches of compiled pipelines know to refresh.
    public var generation: UInt64 { changes.load(ordering: .acquiring) }

    public init() {
        definitions = Mutex([:])
        order = Mutex([])
    }

    /// Adds or replaces a kind.
    public func register(_ definition: NodeDefinition) {
        let isNew = definitions.withLock { $0.updateValue(definition, forKey: definition.kind) == nil }
        if isNew { order.withLock { $0.append(definition.kind) } }
        changes.add(1, ordering: .releasing)
    }

    /// Removes a kind; returns whether it was there.
    @discardableResult
    public func unregister(_ kind: String) -> Bool {
        let removed = definitions.withLock { $0.removeValue(forKey: kind) != nil }
        if removed {
            order.withLock { $0.removeAll { $0 == kind } }
            changes.add(1, ordering: .releasing)
        }
        return removed
    }

    public func definition(for kind: String) -> NodeDefinition? {
        definitions.withLock { $0[kind] }
    }

    /// Every kind, in registration order.
    public var allDefinitions: [NodeDefinition] {
        let kinds = order.withLock { $0 }
        let map = definitions.withLock { $0 }
        return kinds.compactMap { map[$0] }
    }

    public var kinds: [String] { order.withLock { $0 } }

    /// The closest registered kind to a misspelt one.
    public func suggestion(for kind: String) -> String? {
        ClosestMatch.find(kind, in: kinds)
    }

    /// Every kind as the JSON array served at `/api/v1/schema/nodes`.
    public var definitionsJSON: JSONValue {
        .array(allDefinitions.map(\.json))
    }
}
