import Synchronization

/// Why a node could not be made from its parameters.
public struct NodeCreationError: Error, Sendable, CustomStringConvertible {
    public var nodeID: String
    public var kind: String
    /// Parameter problems found by the schema, each with a path such as `params.gain`.
    public var violations: [SchemaViolation]
    /// Set when the factory itself refused (after the schema passed).
    public var factoryMessage: String?

    public var description: String {
        var parts = violations.map(\.description)
        if let factoryMessage { parts.append(factoryMessage) }
        return "node '\(nodeID)' (\(kind)): " + parts.joined(separator: "; ")
    }
}

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

    /// Checks `params` against the kind's schema and fills defaults, without making a node.
    /// Returns the parameters the factory would get.
    public func checkParams(kind: String, nodeID: String, params: JSONValue?) throws(NodeCreationError) -> (params: JSONValue, warnings: [SchemaViolation]) {
        guard let definition = definition(for: kind) else {
            throw NodeCreationError(nodeID: nodeID, kind: kind, violations: [], factoryMessage: "unknown node kind")
        }
        let given = params ?? .null
        let value: JSONValue = given.isNull ? .object([:]) : given
        let result = JSONSchemaValidator.validate(value, against: definition.paramSchema, rootPath: "params")
        guard result.isValid else {
            throw NodeCreationError(nodeID: nodeID, kind: kind, violations: result.violations, factoryMessage: nil)
        }
        return (value.applyingDefaults(from: definition.paramSchema), result.unknownFields)
    }

    /// Makes a node of `kind` from `params` (checked against the schema first).
    public func makeNode(kind: String, nodeID: String, params: JSONValue?) throws(NodeCreationError) -> any Node {
        let checked = try checkParams(kind: kind, nodeID: nodeID, params: params)
        guard let definition = definition(for: kind) else {
            throw NodeCreationError(nodeID: nodeID, kind: kind, violations: [], factoryMessage: "unknown node kind")
        }
        do {
            return try definition.factory(checked.params)
        } catch {
            throw NodeCreationError(nodeID: nodeID, kind: kind, violations: [], factoryMessage: "\(error)")
        }
    }

    /// Every kind as the JSON array served at `/api/v1/schema/nodes`.
    public var definitionsJSON: JSONValue {
        .array(allDefinitions.map(\.json))
    }
}
