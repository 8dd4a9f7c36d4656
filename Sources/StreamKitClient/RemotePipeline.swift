import StreamKitCore

/// A session's pipeline (`GET /api/v1/sessions/{id}/pipeline`): nodes in order and their connections.
public struct RemotePipeline: Sendable, Equatable {
    /// One connection `from_node.from_pin → to_node.to_pin`.
    public struct Connection: Sendable, Equatable, CustomStringConvertible {
        public var fromNode: String
        public var fromPin: String
        public var toNode: String
        public var toPin: String
        /// `reliable` unless the server said otherwise.
        public var mode: String

        public var description: String {
            "\(fromNode).\(fromPin) -> \(toNode).\(toPin)" + (mode == "reliable" ? "" : " [\(mode)]")
        }
    }

    public var name: String?
    public var nodes: [RemoteNode]
    public var connections: [Connection]
    /// The whole answer, for `--json` output and fields this type does not model.
    public var json: JSONValue

    /// The node with id `id`.
    public func node(_ id: String) -> RemoteNode? { nodes.first { $0.id == id } }

    init(json: JSONValue) throws(StreamKitClientError) {
        guard let nodes = json["nodes"]?.objectValue else {
            throw .unexpectedResponse("a pipeline without a `nodes` object: \(json.jsonString())")
        }
        self.json = json
        name = json["name"]?.stringValue
        self.nodes = nodes.map { entry in
            RemoteNode(
                id: entry.key, kind: entry.value["kind"]?.stringValue ?? "?",
                params: entry.value["params"] ?? .null,
                state: entry.value["state"], stats: entry.value["stats"]
            )
        }
        connections = (json["connections"]?.arrayValue ?? []).compactMap { item in
            guard let from = item["from_node"]?.stringValue, let to = item["to_node"]?.stringValue else { return nil }
            return Connection(
                fromNode: from, fromPin: item["from_pin"]?.stringValue ?? "out",
                toNode: to, toPin: item["to_pin"]?.stringValue ?? "in",
                mode: item["mode"]?.stringValue ?? "reliable"
            )
        }
    }
}
