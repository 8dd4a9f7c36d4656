/// The whole `skit.toml` configuration: one stored property per TOML section.
///
/// `ServerConfiguration()` is the built-in default. Use ``load(fileAt:environment:)`` to layer a file and
/// `SK_…` environment overrides on top, and ``defaultTOML()`` to print the documented default file.
public struct ServerConfiguration: Sendable, Equatable {
    /// `[server]`: listening, TLS, request limits, CORS.
    public var server = Server()
    /// `[plugins]`: where plugins live and whether HTTP may manage them.
    public var plugins = Plugins()
    /// `[security]`: file paths nodes may read and write.
    public var security = Security()
    /// `[log]`: console and file logging.
    public var log = Log()
    /// `[telemetry]`: metrics and tracing switches.
    public var telemetry = Telemetry()
    /// `[engine]`: capacities of dynamic sessions and oneshot runs.
    public var engine = Engine()
    /// `[resources]`: model caching and pre-warming.
    public var resources = Resources()
    /// `[script]`: limits, fetch allowlist and secrets of `core::script` nodes.
    public var script = Script()
    /// `[permissions]`: roles and global concurrency limits.
    public var permissions = Permissions()

    /// The built-in default configuration.
    public init() {}
}
