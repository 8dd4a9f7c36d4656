import StreamKitCore
import StreamKitSchema

/// Making nodes from their parameters: the registry knows the kinds, the schema module checks
/// the parameters, and the engine (which builds graphs) puts the two together.
extension NodeRegistry {
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
}
