import StreamKitCore

/// A pipeline checked against the registry: every node made, every link typed.
/// Nothing runs yet; the oneshot runner and dynamic sessions start plans.
public struct PipelinePlan: Sendable {
    public struct PlannedNode: Sendable {
        public var id: String
        public var kind: String
        /// Parameters with schema defaults filled in.
        public var params: JSONValue
        public var node: any Node
        public var line: Int?
    }

    public struct PlannedLink: Sendable {
        public var spec: PipelineDocument.LinkSpec
        /// The packet type that flows on the link (after passthrough resolution).
        public var type: PacketType
        public var id: LinkID { spec.id }
    }

    public var document: PipelineDocument
    public var nodes: [PlannedNode]
    public var links: [PlannedLink]
    /// The nodes and links as a graph (what the runners wire).
    public var graph: PipelineGraph
    /// Things that will work but are probably not what the author meant (unknown params, unconnected inputs).
    public var warnings: [PipelineIssue]

    public var mode: PipelineMode { document.mode }

    public func node(_ id: String) -> PlannedNode? {
        nodes.first { $0.id == id }
    }
}
