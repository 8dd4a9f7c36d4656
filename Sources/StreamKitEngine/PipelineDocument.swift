import StreamKitCore

/// A pipeline as written by a person (YAML or JSON), compiled to nodes and links but not yet
/// checked against the node registry.
public struct PipelineDocument: Sendable, Equatable {
    public var name: String?
    public var description: String?
    public var mode: PipelineMode
    /// Nodes in document order.
    public var nodes: [NodeSpec]
    public var links: [LinkSpec]

    public init(name: String? = nil, description: String? = nil, mode: PipelineMode = .dynamic, nodes: [NodeSpec] = [], links: [LinkSpec] = []) {
        self.name = name
        self.description = description
        self.mode = mode
        self.nodes = nodes
        self.links = links
    }

    /// One node of a document.
    public struct NodeSpec: Sendable, Equatable {
        public var id: String
        public var kind: String
        public var params: JSONValue?
        /// The line the node starts on in the source text, when known.
        public var line: Int?

        public init(id: String, kind: String, params: JSONValue? = nil, line: Int? = nil) {
            self.id = id
            self.kind = kind
            self.params = params
            self.line = line
        }
    }

    /// One link of a document: `from.fromPin -> to.toPin`.
    public struct LinkSpec: Sendable, Equatable {
        public var from: String
        public var fromPin: String
        public var to: String
        public var toPin: String
        public var mode: LinkMode
        public var line: Int?

        public init(from: String, fromPin: String = "out", to: String, toPin: String = "in", mode: LinkMode = .reliable, line: Int? = nil) {
            self.from = from
            self.fromPin = fromPin
            self.to = to
            self.toPin = toPin
            self.mode = mode
            self.line = line
        }

        public var id: LinkID { LinkID(fromNode: from, fromPin: fromPin, toNode: to, toPin: toPin) }
    }

    public func node(_ id: String) -> NodeSpec? {
        nodes.first { $0.id == id }
    }

    /// The compiled JSON form the original's API returns:
    /// `{name?, description?, mode, nodes: {id: {kind, params}}, connections: [{from_node, from_pin, to_node, to_pin, mode?}]}`.
    public var json: JSONValue {
        var object = JSONObject()
        if let name { object["name"] = .string(name) }
        if let description { object["description"] = .string(description) }
        object["mode"] = .string(mode.rawValue)
        var nodesObject = JSONObject()
        for node in nodes {
            var entry: JSONObject = ["kind": .string(node.kind)]
            entry["params"] = node.params ?? .null
            nodesObject[node.id] = .object(entry)
        }
        object["nodes"] = .object(nodesObject)
        object["connections"] = .array(links.map { link in
            var entry: JSONObject = [
                "from_node": .string(link.from), "from_pin": .string(link.fromPin),
                "to_node": .string(link.to), "to_pin": .string(link.toPin),
            ]
            if link.mode != .reliable { entry["mode"] = .string(link.mode.rawValue) }
            return .object(entry)
        })
        return .object(object)
    }
}
