import StreamKitCore

/// A live dynamic session as the server lists it (`SessionInfo`: `{id, name?, created_at}`).
public struct RemoteSession: Sendable, Equatable {
    public var id: String
    public var name: String?
    /// RFC 3339 UTC creation time, as the server sent it.
    public var createdAt: String

    public init(id: String, name: String?, createdAt: String) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }

    /// Reads `{id, name?, created_at}` (or `session_id` instead of `id`, as create answers).
    init(json: JSONValue) throws(StreamKitClientError) {
        guard let id = json["id"]?.stringValue ?? json["session_id"]?.stringValue else {
            throw .unexpectedResponse("a session without an id: \(json.jsonString())")
        }
        self.init(id: id, name: json["name"]?.stringValue, createdAt: json["created_at"]?.stringValue ?? "")
    }
}
