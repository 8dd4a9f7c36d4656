import StreamKitCore

/// A loaded plugin (`PluginSummary`).
public struct RemotePlugin: Sendable, Equatable {
    public var kind: String
    public var fileName: String?
    public var pluginType: String?
    public var categories: [String]
    public var json: JSONValue

    init(json: JSONValue) throws(StreamKitClientError) {
        kind = try json.requiredKind(of: "a plugin summary")
        fileName = json["file_name"]?.stringValue
        pluginType = json["plugin_type"]?.stringValue
        categories = json.categoryNames
        self.json = json
    }
}
