import Logging

/// What the server (or `skit run -c`) tells `core::script` and `transport::http::fetcher` nodes:
/// the `[script]` section with secret values resolved, plus the limits of outbound HTTP.
///
/// Secret values live only here and in the request headers they are put into: scripts never
/// see them, and ``SecretValue`` prints as `<redacted>` so a log line or error cannot show one.
public struct ScriptSettings: Sendable {
    /// `timeout_ms` of a node that does not set it.
    public var defaultTimeoutMs: Int
    /// `memory_limit_mb` of a node that does not set it.
    public var defaultMemoryLimitMB: Int
    /// `[[script.global_fetch_allowlist]]`: what `fetch()` may reach. Empty blocks every fetch.
    public var fetchAllowlist: [FetchRule]
    /// `[script.secrets]` by name, with their values read from the environment.
    public var secrets: [String: Secret]
    /// Longest time one `fetch()` may take, waiting for a free slot included.
    public var fetchTimeout: Duration
    /// Largest response body `fetch()` reads; a larger one rejects the fetch.
    public var maxFetchResponseBytes: Int
    /// Where `console.*`, script errors and timeouts are logged.
    public var logger: Logger

    /// Settings with no allowlist and no secrets (every fetch refused): what `skit validate` and
    /// `skit run` without `-c` use.
    public init(
        defaultTimeoutMs: Int = 100, defaultMemoryLimitMB: Int = 64, fetchAllowlist: [FetchRule] = [],
        secrets: [String: Secret] = [:], fetchTimeout: Duration = .seconds(30), maxFetchResponseBytes: Int = 8 << 20,
        logger: Logger = Logger(label: "streamkit.script")
    ) {
        self.defaultTimeoutMs = defaultTimeoutMs
        self.defaultMemoryLimitMB = defaultMemoryLimitMB
        self.fetchAllowlist = fetchAllowlist
        self.secrets = secrets
        self.fetchTimeout = fetchTimeout
        self.maxFetchResponseBytes = maxFetchResponseBytes
        self.logger = logger
    }

    /// One allowlist entry: a URL wildcard pattern (`*` matches any run of characters) and the methods allowed.
    public struct FetchRule: Sendable, Equatable {
        public var url: String
        /// Upper-case method names; `*` allows every method.
        public var methods: [String]

        public init(url: String, methods: [String]) {
            self.url = url
            self.methods = methods.map { $0.uppercased() }
        }

        /// Whether `method` on `url` is allowed by this rule.
        public func allows(method: String, url candidate: String) -> Bool {
            (methods.contains("*") || methods.contains(method.uppercased())) && Wildcard.matches(url, candidate)
        }
    }

    /// A secret: its value (from the environment; nil when the variable is not set) and the URL
    /// patterns it may be sent to (empty: wherever the global allowlist allows).
    public struct Secret: Sendable {
        public var value: SecretValue?
        /// The environment variable it comes from (named in errors; the value never is).
        public var environmentVariable: String
        public var allowedURLs: [String]

        public init(value: String?, environmentVariable: String, allowedURLs: [String] = []) {
            self.value = value.map(SecretValue.init)
            self.environmentVariable = environmentVariable
            self.allowedURLs = allowedURLs
        }
    }

    /// A secret's text, which never prints.
    public struct SecretValue: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
        let text: String
        init(_ text: String) { self.text = text }
        public var description: String { "<redacted>" }
        public var debugDescription: String { "<redacted>" }
    }

    /// The allowlist as people read it in messages.
    var allowlistDescription: String {
        guard !fetchAllowlist.isEmpty else { return "[[script.global_fetch_allowlist]] is empty, so every fetch is blocked" }
        let rules = fetchAllowlist.map { "\($0.methods.joined(separator: ",")) \($0.url)" }.joined(separator: "; ")
        return "[[script.global_fetch_allowlist]] allows: \(rules)"
    }
}

/// `*` wildcards over whole strings (no other special characters).
enum Wildcard {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(Substring.init)
        var rest = Substring(text)
        guard let first = parts.first, rest.hasPrefix(first) else { return false }
        rest = rest.dropFirst(first.count)
        if parts.count == 1 { return rest.isEmpty }
        for (index, part) in parts.enumerated().dropFirst() {
            if index == parts.count - 1 {
                return part.isEmpty || rest.hasSuffix(part)
            }
            guard !part.isEmpty else { continue }
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }
}
