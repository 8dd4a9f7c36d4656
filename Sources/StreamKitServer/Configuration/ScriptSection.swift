extension ServerConfiguration {
    /// `[script]`: limits, network access and secrets for `core::script` nodes.
    public struct Script: Sendable, Equatable {
        /// Time a script may spend per packet, in milliseconds.
        public var defaultTimeoutMs = 100
        /// Memory limit of a script runtime in MiB.
        public var defaultMemoryLimitMB = 64
        /// URLs scripts may `fetch()`; empty blocks every fetch.
        public var globalFetchAllowlist: [FetchRule] = []
        /// Secrets by name, read from environment variables at startup.
        public var secrets: [String: ScriptSecret] = [:]

        /// The defaults.
        public init() {}
    }

    /// One `[[script.global_fetch_allowlist]]` entry.
    public struct FetchRule: Sendable, Equatable {
        /// URL wildcard pattern, e.g. `https://api.example.com/*`.
        public var url: String
        /// HTTP methods allowed for matching URLs.
        public var methods: [String]

        /// Creates a rule.
        public init(url: String, methods: [String]) {
            self.url = url
            self.methods = methods
        }
    }

    /// What kind of value a script secret holds (informational).
    public enum SecretType: String, Sendable, Equatable, CaseIterable {
        /// A URL that embeds a credential (e.g. a webhook).
        case url
        /// A bearer token.
        case token
        /// An API key.
        case apikey
        /// Anything else.
        case string
    }

    /// One `[script.secrets.<name>]` entry.
    public struct ScriptSecret: Sendable, Equatable {
        /// Name of the environment variable holding the value (required).
        public var env: String
        /// Kind of secret.
        public var type: SecretType
        /// URL patterns this secret may be sent to; empty adds no restriction beyond the global allowlist.
        public var allowedFetchURLs: [String]
        /// Free text for people.
        public var description: String

        /// Creates a secret entry.
        public init(env: String, type: SecretType = .string, allowedFetchURLs: [String] = [], description: String = "") {
            self.env = env
            self.type = type
            self.allowedFetchURLs = allowedFetchURLs
            self.description = description
        }
    }
}
