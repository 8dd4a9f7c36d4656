import Foundation
import HTTPTypes
import Logging
import StreamKitCore
import StreamKitEngine
import StreamKitNodes
import StreamKitPlugins
import StreamKitScript

/// Everything a request handler needs: configuration, the node registry, the live sessions,
/// and the security decisions (role, permissions, allowlists, origins, file paths).
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
    let paths: FilePathPolicy
    /// The audio assets under `samples/audio/` of the working directory (tests relocate it).
    let assets = AssetLibrary()

    public init(configuration: ServerConfiguration, registry: NodeRegistry = BuiltinNodes.makeRegistry(), environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger) {
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
        // core::script and transport::http::fetcher take their allowlist, secrets and defaults from [script].
        ScriptNodes.register(into: registry, settings: configuration.scriptSettings(environment: environment, logger: logger))
        self.sessions = SessionManager(
            registry: registry, engineConfiguration: configuration.engineConfiguration(),
            maxSessions: configuration.permissions.maxConcurrentSessions, logger: logger
        )
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
        self.paths = FilePathPolicy(
            allowedReadPaths: configuration.security.allowedFilePaths,
            allowedWritePaths: configuration.security.allowedWritePaths,
            workingDirectory: FileManager.default.currentDirectoryPath
        )
    }

    /// The caller's role, from the trusted header (when configured), `SK_ROLE`, or the default role.
    /// A refused caller (``ResolvedRole/refusal``) has no permissions; the transports answer it with 403.
    public func role(for headers: HTTPFields) -> ResolvedRole {
        roles.resolve { name in
            HTTPField.Name(name).map { headers[values: $0] } ?? []
        }
    }

    /// Every problem that keeps `role` from running `document` (kinds, plugins, file paths).
    /// Refusals whose message hides details (file paths) are logged with them.
    public func authorize(_ document: PipelineDocument, role: ResolvedRole, context: PipelineAuthorizer.Context) -> [AuthorizationProblem] {
        logDetails(PipelineAuthorizer.check(document, permissions: role.permissions, paths: paths, context: context), role: role)
    }

    /// Logs the full reason of each problem whose message leaves it out, and returns the problems.
    func logDetails(_ problems: [AuthorizationProblem], role: ResolvedRole) -> [AuthorizationProblem] {
        for problem in problems {
            guard let detail = problem.detail, detail != problem.message else { continue }
            logger.notice("file path refused", metadata: ["role": "\(role.name)", "node": "\(problem.nodeID)", "reason": "\(detail)"])
        }
        return problems
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

    /// Node definitions `role` may see (allowlists applied), as served by `/api/v1/schema/nodes`.
    public func visibleNodeDefinitions(for role: ResolvedRole) -> [NodeDefinition] {
        let nodes = Allowlist(role.permissions.allowedNodes)
        let plugins = Allowlist(role.permissions.allowedPlugins)
        return registry.allDefinitions.filter { definition in
            guard nodes.allows(definition.kind) else { return false }
            return !definition.kind.hasPrefix("plugin::") || plugins.allows(definition.kind)
        }
    }
}
