import Foundation
import StreamKitCore
import StreamKitEngine
import StreamKitPlugins

/// A session as listed to clients: `SessionInfo` `{id, name, created_at}`.
public struct SessionInfo: Sendable, Equatable {
    public var id: String
    public var name: String
    public var createdAt: Date
    /// The role that created the session; sessions belong to roles.
    public var createdBy: String

    public var json: JSONValue {
        ["id": .string(id), "name": .string(name), "created_at": .string(Self.timestamp(createdAt))]
    }

    /// RFC 3339 in UTC with fractional seconds, as the original prints it.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

/// Something that happened on the server, fanned out to every WebSocket client (each one filters
/// by the sessions its role may see).
public enum ServerEvent: Sendable {
    case sessionCreated(SessionInfo)
    case sessionDestroyed(id: String, owner: String)
    /// An event of one session; `owner` is the role that created it.
    case session(id: String, owner: String, SessionEvent)
    /// A plugin was loaded, replaced by a new version, or unloaded.
    case plugin(PluginEvent)
}

/// What happened to a plugin; sent to WebSocket clients whose role may use the plugin.
public struct PluginEvent: Sendable {
    public enum Action: String, Sendable {
        case loaded = "pluginloaded"
        case replaced = "pluginreplaced"
        case unloaded = "pluginunloaded"
    }

    public var action: Action
    public var plugin: PluginSummary
    /// For `replaced`: the version that was replaced.
    public var previous: PluginSummary?
}
