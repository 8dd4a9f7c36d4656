import Foundation
import StreamKitCore
import StreamKitEngine
import StreamKitPlugins

/// Turns server events into the control protocol's event payloads (§5.4), and decides which
/// connections may see them.
enum ControlEvents {
    /// Longest telemetry string (in UTF-8 bytes) sent as is; longer ones are cut, as the original does.
    static let telemetryStringLimit = 100

    /// Whether a connection of `caller` may see `event`: a plugin event when the plugin is visible to it
    /// (``PluginService/isVisible(_:to:)``), a session event when it may access the session
    /// (``Caller/mayAccess(sessionOwnedBy:)``). Every event carries its session's owner, so no
    /// per-connection set of visible sessions is needed.
    static func isVisible(_ event: ServerEvent, to caller: Caller) -> Bool {
        switch event {
        case .plugin(let pluginEvent): PluginService.isVisible(pluginEvent.plugin.kind, to: caller)
        case .sessionCreated(let info): caller.mayAccess(sessionOwnedBy: info.createdBy)
        case .sessionDestroyed(_, let owner): caller.mayAccess(sessionOwnedBy: owner)
        case .session(_, let owner, _): caller.mayAccess(sessionOwnedBy: owner)
        }
    }

    /// The event payload (`{"event": …, "session_id": …, …}`), or nil for events clients never see.
    /// `now` stamps events that carry no time of their own.
    static func payload(for event: ServerEvent, now: Date = Date()) -> JSONValue? {
        switch event {
        case .sessionCreated(let info):
            return [
                "event": "sessioncreated", "session_id": .string(info.id), "name": .string(info.name),
                "created_at": .string(SessionInfo.timestamp(info.createdAt)),
            ]
        case .sessionDestroyed(let id, _):
            return ["event": "sessiondestroyed", "session_id": .string(id)]
        case .session(let id, _, let sessionEvent):
            return payload(for: sessionEvent, session: id, now: now)
        case .plugin(let pluginEvent):
            var object: JSONObject = [
                "event": .string(pluginEvent.action.rawValue), "kind": .string(pluginEvent.plugin.kind),
                "plugin": .object(pluginEvent.plugin.json),
            ]
            if let previous = pluginEvent.previous { object["replaced"] = .object(previous.json) }
            return .object(object)
        }
    }

    private static func payload(for event: SessionEvent, session: String, now: Date) -> JSONValue? {
        let sessionID = JSONValue.string(session)
        switch event {
        case .nodeAdded(let node, let kind, let params):
            return ["event": "nodeadded", "session_id": sessionID, "node_id": .string(node), "kind": .string(kind), "params": params]
        case .nodeRemoved(let node):
            return ["event": "noderemoved", "session_id": sessionID, "node_id": .string(node)]
        case .linkAdded(let link, let mode):
            var object = linkFields(link, event: "connectionadded", session: sessionID)
            object["mode"] = .string(mode.rawValue)
            return .object(object)
        case .linkRemoved(let link):
            return .object(linkFields(link, event: "connectionremoved", session: sessionID))
        case .paramsChanged(let node, let params):
            return ["event": "nodeparamschanged", "session_id": sessionID, "node_id": .string(node), "params": params]
        case .nodeStateChanged(let node, let state):
            return [
                "event": "nodestatechanged", "session_id": sessionID, "node_id": .string(node),
                "state": state.json, "timestamp": .string(SessionInfo.timestamp(now)),
            ]
        case .nodeStatsUpdated(let node, let stats):
            return [
                "event": "nodestatsupdated", "session_id": sessionID, "node_id": .string(node),
                "stats": stats.json, "timestamp": .string(SessionInfo.timestamp(now)),
            ]
        case .telemetry(let telemetry):
            let seconds = Double(telemetry.timestampUs) / 1_000_000
            let stamp = telemetry.timestampUs > 0 ? Date(timeIntervalSince1970: seconds) : now
            return [
                "event": "nodetelemetry", "session_id": sessionID, "node_id": .string(telemetry.nodeID),
                "type_id": .string(TelemetryEvent.typeID), "data": truncatingStrings(telemetry.data),
                "timestamp_us": .number(Double(telemetry.timestampUs)), "timestamp": .string(SessionInfo.timestamp(stamp)),
            ]
        case .sessionStopped:
            return nil
        }
    }

    private static func linkFields(_ link: LinkID, event: String, session: JSONValue) -> JSONObject {
        [
            "event": .string(event), "session_id": session,
            "from_node": .string(link.fromNode), "from_pin": .string(link.fromPin),
            "to_node": .string(link.toNode), "to_pin": .string(link.toPin),
        ]
    }

    /// `{"event":"eventsdropped","count":n}`: this connection lost `count` events because it fell behind.
    static func dropped(_ count: Int) -> JSONValue {
        ["event": "eventsdropped", "count": .number(Double(count))]
    }

    /// Every string longer than ``telemetryStringLimit`` bytes, at any depth, cut to that many
    /// characters plus `...[truncated]` (telemetry may carry transcripts or payloads).
    static func truncatingStrings(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text) where text.utf8.count > telemetryStringLimit:
            return .string(String(text.prefix(telemetryStringLimit)) + "...[truncated]")
        case .array(let items):
            return .array(items.map(truncatingStrings))
        case .object(let object):
            return .object(JSONObject(object.map { ($0.key, truncatingStrings($0.value)) }))
        default:
            return value
        }
    }
}
