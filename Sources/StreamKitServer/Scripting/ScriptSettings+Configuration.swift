import Logging
import StreamKitCore
import StreamKitNodes
import StreamKitScript

extension ServerConfiguration {
    /// The `[script]` section as `core::script` nodes use it: secret values read from `environment`
    /// (never stored in the configuration itself, so `/api/v1/config` cannot show them).
    public func scriptSettings(environment: [String: String], logger: Logger) -> ScriptSettings {
        var secrets: [String: ScriptSettings.Secret] = [:]
        for (name, secret) in script.secrets {
            let value = environment[secret.env].flatMap { $0.isEmpty ? nil : $0 }
            secrets[name] = ScriptSettings.Secret(value: value, environmentVariable: secret.env, allowedURLs: secret.allowedFetchURLs)
        }
        return ScriptSettings(
            defaultTimeoutMs: script.defaultTimeoutMs,
            defaultMemoryLimitMB: script.defaultMemoryLimitMB,
            fetchAllowlist: script.globalFetchAllowlist.map { ScriptSettings.FetchRule(url: $0.url, methods: $0.methods) },
            secrets: secrets,
            logger: logger
        )
    }

    /// The built-in node kinds plus `core::script` and `transport::http::fetcher` set up from `[script]`.
    public func makeNodeRegistry(environment: [String: String], logger: Logger) -> NodeRegistry {
        let registry = StreamKitNodes.BuiltinNodes.makeRegistry()
        ScriptNodes.register(into: registry, settings: scriptSettings(environment: environment, logger: logger))
        return registry
    }
}
