import StreamKitCore

/// A node kind the server offers (`NodeDefinition`), with the full JSON kept for `--json`.
public struct RemoteNodeKind: Sendable, Equatable {
    public var kind: String
    public var description: String?
    public var categories: [String]
    public var json: JSONValue

    init(json: JSONValue) throws(StreamKitClientError) {
        kind = try json.requiredKind(of: "a node definition")
        description = json["description"]?.stringValue
        categories = json.categoryNames
        self.json = json
    }
}
