import StreamKitServer

/// Shorthands for the configuration tests.
enum ConfigTestSupport {
    /// Loads `toml` (text, no file) plus `environment`.
    static func load(_ toml: String? = nil, environment: [String: String] = [:]) throws -> ServerConfiguration {
        try ServerConfiguration.load(toml: toml, sourceName: "skit.toml", environment: environment).0
    }

    /// The problems a load reports, or an empty list when it succeeds.
    static func problems(_ toml: String? = nil, environment: [String: String] = [:]) -> [ConfigurationProblem] {
        do {
            _ = try ServerConfiguration.load(toml: toml, sourceName: "skit.toml", environment: environment)
            return []
        } catch {
            return error.problems
        }
    }
}
