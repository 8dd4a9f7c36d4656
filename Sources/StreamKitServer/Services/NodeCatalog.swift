import StreamKitCore

/// The node kinds a caller may see: the registry's definitions through the role's node and plugin
/// allowlists. Served by `GET /api/v1/schema/nodes` and the WebSocket `listnodes`.
public struct NodeCatalog: Sendable {
    let registry: NodeRegistry

    /// Node definitions `caller` may see (allowlists applied). `/api/v1/schema/nodes` serves these
    /// to every role, as the original does; the allowlists are what hides kinds.
    public func definitions(visibleTo caller: Caller) -> [NodeDefinition] {
        let nodes = Allowlist(caller.permissions.allowedNodes)
        let plugins = Allowlist(caller.permissions.allowedPlugins)
        return registry.allDefinitions.filter { definition in
            guard nodes.allows(definition.kind) else { return false }
            return !definition.kind.hasPrefix("plugin::") || plugins.allows(definition.kind)
        }
    }

    /// ``definitions(visibleTo:)`` for a caller that must hold `list_nodes` (the WebSocket `listnodes`).
    public func list(caller: Caller) throws(ServiceError) -> [NodeDefinition] {
        try caller.authorize(.listNodes)
        return definitions(visibleTo: caller)
    }
}
