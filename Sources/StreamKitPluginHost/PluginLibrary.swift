import StreamKitCore

/// A loaded plugin of some kind (a native library, a WASM component, …): the node it declares
/// and how to make one running instance of it. ``PluginNode`` does the rest.
///
/// A new kind of plugin conforms here and in ``PluginInstance``; the thread, the node's
/// lifecycle, input, output delivery with backpressure and parameter updates are the host's.
public protocol PluginLibrary: Sendable {
    associatedtype Instance: PluginInstance

    /// The registered kind, e.g. `plugin::native::gain`.
    var kind: String { get }
    /// What the node kind says about itself in the registry.
    var summary: String { get }
    var categories: [String] { get }
    var paramSchema: JSONValue { get }
    var inputPins: [InputPin] { get }
    var outputPins: [OutputPin] { get }

    /// The name of each node's plugin thread, as `top` and debuggers show it (15 bytes are kept).
    var threadName: String { get }

    /// Runs first on every new plugin thread of this kind, before the instance is made.
    func prepareThread()

    /// Makes one instance with `params`, on the node's plugin thread (so a slow start blocks
    /// nobody else). `node` is the running node, for telemetry and counters during calls.
    func makeInstance(params: JSONValue, node: NodeContext) throws(StreamKitError) -> Instance
}

extension PluginLibrary {
    public func prepareThread() {}

    /// The node kind this plugin provides, ready for a registry.
    public func nodeDefinition() -> NodeDefinition {
        NodeDefinition(
            kind: kind, description: summary, categories: categories, paramSchema: paramSchema,
            inputs: inputPins, outputs: outputPins
        ) { [self] params in
            PluginNode(library: self, params: params)
        }
    }
}
