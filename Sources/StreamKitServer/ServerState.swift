import Foundation
import HTTPTypes
import Logging
import StreamKitCore
import StreamKitEngine
import StreamKitNodes
import StreamKitPlugins
import StreamKitScript

/// The composition root: builds the engine parts, the security policies and the services from the
/// configuration, once, and hands them out. Routes and socket handlers are given the services
/// they call; they decide nothing themselves.
public final class ServerState: Sendable {
    public let configuration: ServerConfiguration
    public let registry: NodeRegistry
    public let sessions: SessionManager
    public let oneshotRunner: OneshotRunner
    public let oneshotLimiter: ConcurrencyLimiter
    /// Open connections against `server.max_connections` and `server.max_connections_per_address`.
    public let connections: ConnectionLimiter
    /// Plugin files, versions and their registry entries.
    public let plugins: PluginManager
    public let logger: Logger
    let roles: RoleResolver
    let origins: OriginPolicy
    /// The audio assets under `samples/audio/` of the working directory (tests relocate it).
    let assets = AssetLibrary()

    // MARK: Services (what the transports call)

    /// Sessions and every change to them (HTTP session routes, WebSocket control plane, media sockets).
    public let sessionService: SessionService
    /// The node kinds a caller may see.
    public let nodeCatalog: NodeCatalog
    /// Plugin listing, uploads and unloads.
    public let pluginService: PluginService
    let oneshotService: OneshotService
    /// Pipeline documents read and checked for the web UI, without running them.
    let pipelineService: PipelineService
    let sampleService: SampleService
    let assetService: AssetService

    public init(configuration: ServerConfiguration, registry: NodeRegistry = BuiltinNodes.makeRegistry(), environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger) {
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
        // core::script and transport::http::fetcher take their allowlist, secrets and defaults from [script].
        ScriptNodes.register(into: registry, settings: configuration.scriptSettings(environment: environment, logger: logger))
        let sessions = SessionManager(
            registry: registry, engineConfiguration: configuration.engineConfiguration(),
            maxSessions: configuration.permissions.maxConcurrentSessions, logger: logger
        )
        self.sessions = sessions
        self.oneshotRunner = OneshotRunner(registry: registry, configuration: configuration.oneshotEngineConfiguration(), logger: logger)
        self.oneshotLimiter = ConcurrencyLimiter(limit: configuration.permissions.maxConcurrentOneshots)
        self.connections = ConnectionLimiter(
            maxConnections: configuration.server.maxConnections, maxPerAddress: configuration.server.maxConnectionsPerAddress
        )
        self.plugins = PluginManager(
            directory: configuration.plugins.directory, registry: registry,
            loaders: [NativePluginLoader(logger: logger), WasmPluginLoader(limits: configuration.plugins.wasmLimits, logger: logger)], logger: logger
        )
        self.roles = RoleResolver(
            roleHeader: configuration.permissions.roleHeader, defaultRole: configuration.permissions.defaultRole,
            roles: configuration.permissions.roles, environmentRole: environment["SK_ROLE"],
            unknownRoleFallback: configuration.permissions.unknownRoleFallback
        )
        self.origins = OriginPolicy(allowedOrigins: configuration.server.cors.allowedOrigins)
        let gate = PipelineGate(
            paths: FilePathPolicy(
                allowedReadPaths: configuration.security.allowedFilePaths,
                allowedWritePaths: configuration.security.allowedWritePaths,
                workingDirectory: FileManager.default.currentDirectoryPath
            ),
            logger: logger
        )
        self.sessionService = SessionService(manager: sessions, gate: gate, logger: logger)
        self.nodeCatalog = NodeCatalog(registry: registry)
        self.pluginService = PluginService(
            manager: plugins, managementEnabled: configuration.plugins.allowHTTPManagement, events: sessions.events
        )
        self.oneshotService = OneshotService(runner: oneshotRunner, limiter: oneshotLimiter, gate: gate)
        self.pipelineService = PipelineService(registry: registry, gate: gate)
        self.sampleService = SampleService(library: SampleLibrary(root: configuration.server.samplesDir))
        self.assetService = AssetService(library: assets)
    }

    /// The caller's role, from the trusted header (when configured), `SK_ROLE`, or the default role.
    /// A refused caller (``ResolvedRole/refusal``) has no permissions; the transports answer it with 403.
    public func role(for headers: HTTPFields) -> ResolvedRole {
        roles.resolve { name in
            HTTPField.Name(name).map { headers[values: $0] } ?? []
        }
    }

    /// Whether a browser page from `origin` may call the API.
    public func allowsOrigin(_ origin: String) -> Bool {
        origins.allows(origin: origin)
    }

    /// Loads every plugin in the plugin directory (call once at start-up, before serving).
    /// Bad files are logged and skipped.
    @discardableResult
    public func loadPlugins() async -> [PluginManager.StartupResult] {
        await plugins.loadAll()
    }
}
