/// A processing element: the thing a node kind's factory makes from parameters.
///
/// A node value holds its configuration; its working state lives in local variables of
/// `run(context:)`, which the engine calls once, on a task of its own. A node reads its
/// inputs with `context.next()` until it returns nil (every input ended, or stop requested),
/// flushes what it holds, and returns. Throwing fails the node with that error; the rest of
/// the pipeline goes on (a oneshot run then ends with the error).
public protocol Node: Sendable {
    /// This instance's input pins (they may depend on its parameters).
    var inputPins: [InputPin] { get }
    /// This instance's output pins.
    var outputPins: [OutputPin] { get }
    /// MIME type of the bytes this node produces when it makes a final file format (`audio/wav`).
    var contentType: String? { get }
    /// The node's work. Report `.running` when it starts; the engine reports the final state.
    func run(context: NodeContext) async throws
}

extension Node {
    public var contentType: String? { nil }
}
