import StreamKitCore
import StreamKitEngine
import StreamKitPlugins

/// Plugins for a caller: the list it may see, uploads (hot reload) and unloads, each announced on
/// the server's event bus. Served by `/api/v1/plugins`; the WebSocket control plane shows plugin
/// events by the same visibility rule (``isVisible(_:to:)``).
public struct PluginService: Sendable {
    static let managementDisabledMessage =
        "Plugin management over HTTP is disabled. Set allow_http_management = true in the [plugins] section of skit.toml (or SK_PLUGINS__ALLOW_HTTP_MANAGEMENT=true) to enable uploads and deletes."

    let manager: PluginManager
    /// `plugins.allow_http_management`: whether uploads and deletes are offered at all.
    let managementEnabled: Bool
    let events: EventBroadcaster<ServerEvent>

    /// Whether `caller` may see the plugin `kind` (its listing entry and its events).
    public static func isVisible(_ kind: String, to caller: Caller) -> Bool {
        caller.permissions.pluginAllowlist.allows(kind)
    }

    /// The loaded plugins `caller` may see, by kind.
    public func list(caller: Caller) -> [PluginSummary] {
        manager.plugins.filter { Self.isVisible($0.kind, to: caller) }
    }

    /// Throws unless plugin management is enabled and `caller` may do `operation` (``ServiceOperation/loadPlugin``
    /// or ``ServiceOperation/deletePlugin``). Uploads call it before reading the body;
    /// ``install(_:caller:)`` and ``unload(_:keepFile:caller:)`` call it again.
    public func authorize(_ operation: ServiceOperation, _ caller: Caller) throws(ServiceError) {
        guard managementEnabled else { throw .forbidden(Self.managementDisabledMessage) }
        try caller.authorize(operation)
    }

    /// A new staging path for an upload named `fileName` (checked first, so a bad name costs no file).
    public func stagingPath(forUploadNamed fileName: String) throws(ServiceError) -> String {
        do {
            _ = try PluginFileName.validate(fileName)
            return try manager.makeStagingPath()
        } catch {
            throw .plugin(error)
        }
    }

    /// Loads the staged upload (replacing a loaded version of the same kind) and announces it.
    public func install(_ upload: StagedPlugin, caller: Caller) async throws(ServiceError) -> PluginManager.Installation {
        try authorize(.loadPlugin, caller)
        let allowlist = caller.permissions.pluginAllowlist
        let installation: PluginManager.Installation
        do {
            installation = try await manager.install(
                stagedPath: upload.path, fileName: upload.fileName, sha256: upload.sha256, size: upload.size,
                isAllowed: { allowlist.allows($0) }
            )
        } catch {
            throw .plugin(error)
        }
        events.publish(.plugin(PluginEvent(
            action: installation.replaced == nil ? .loaded : .replaced, plugin: installation.summary, previous: installation.replaced
        )))
        return installation
    }

    /// Unloads the plugin `kind` (deleting its file unless `keepFile`) and announces it.
    public func unload(_ kind: String, keepFile: Bool, caller: Caller) async throws(ServiceError) -> PluginSummary {
        try authorize(.deletePlugin, caller)
        let summary: PluginSummary
        do {
            summary = try await manager.unload(kind: kind, keepFile: keepFile)
        } catch {
            throw .plugin(error)
        }
        events.publish(.plugin(PluginEvent(action: .unloaded, plugin: summary, previous: nil)))
        return summary
    }
}

/// A plugin file received into the staging directory, hashed as it arrived.
public struct StagedPlugin: Sendable {
    public var path: String
    public var fileName: String
    public var sha256: String
    public var size: Int
}
