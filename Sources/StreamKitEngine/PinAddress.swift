/// One pin of one node in a graph: the node's name and the pin's name, written `node.pin`.
public struct PinAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The node's name inside its pipeline.
    public var node: String
    /// The pin's name on that node.
    public var pin: String

    /// Creates the address of `pin` on `node`.
    public init(node: String, pin: String) {
        self.node = node
        self.pin = pin
    }

    /// `node.pin`, as error messages write it.
    public var description: String { "\(node).\(pin)" }

    /// By node, then by pin: the order issues about pins are reported in.
    public static func < (lhs: PinAddress, rhs: PinAddress) -> Bool {
        (lhs.node, lhs.pin) < (rhs.node, rhs.pin)
    }
}

extension LinkID {
    /// The output pin the link leaves from.
    public var source: PinAddress { PinAddress(node: fromNode, pin: fromPin) }
    /// The input pin the link goes into.
    public var destination: PinAddress { PinAddress(node: toNode, pin: toPin) }
}
