/// A node whose kind is described by one static definition, and whose pins are the ones that
/// definition declares (the same for every instance).
///
/// Conforming gives `inputPins` and `outputPins` for free; a node whose pins depend on its
/// parameters (a mixer's input count, a decoder's channel count) declares its own instead.
public protocol DefinedNode: Node {
    /// The kind's definition: name, schema, pins and factory.
    static var definition: NodeDefinition { get }
}

extension DefinedNode {
    /// The definition's input pins.
    public var inputPins: [InputPin] { Self.definition.inputs }
    /// The definition's output pins.
    public var outputPins: [OutputPin] { Self.definition.outputs }
}
