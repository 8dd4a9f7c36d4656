import StreamKitCore
import StreamKitSchema

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
