/// Identifies a link: `from_node.from_pin -> to_node.to_pin`.
public struct LinkID: Sendable, Hashable, CustomStringConvertible {
    public var fromNode: String
    public var fromPin: String
    public var toNode: String
    public var toPin: String

    public init(fromNode: String, fromPin: String, toNode: String, toPin: String) {
        self.fromNode = fromNode
        self.fromPin = fromPin
        self.toNode = toNode
        self.toPin = toPin
    }

    public var description: String { "\(fromNode).\(fromPin) -> \(toNode).\(toPin)" }
}
