import StreamKitCore

/// The node kinds of this module: `core::script` and `transport::http::fetcher`.
public enum ScriptNodes {
    /// Their definitions; `core::script` takes its defaults, allowlist and secrets from `settings`.
    public static func definitions(settings: ScriptSettings) -> [NodeDefinition] {
        [ScriptNode.definition(settings: settings), HTTPFetcherNode.definition]
    }

    /// Registers both kinds (replacing earlier registrations, so settings can be swapped).
    public static func register(into registry: NodeRegistry, settings: ScriptSettings) {
        for definition in definitions(settings: settings) { registry.register(definition) }
    }
}
