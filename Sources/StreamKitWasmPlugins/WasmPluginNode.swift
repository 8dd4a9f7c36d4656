import Logging
import StreamKitComponentModel
import StreamKitCore
import StreamKitNativePlugins

/// A pipeline node backed by a WASM component instance.
///
/// One component instance per node, made when the node starts, on a thread of the node's own
/// (the same executor arrangement as native plugins: never the cooperative pool). Every call runs
/// under the plugin's CPU budget and memory cap; exceeding either, a trap, or an `err` from
/// `process` fails this node with a message saying which — the session and the server go on.
struct WasmPluginNode: Node {
    let library: WasmPluginLibrary
    let params: JSONValue

    var inputPins: [InputPin] { library.inputs }
    var outputPins: [OutputPin] { library.outputs }
    private var kind: String { library.kind }

    func run(context: NodeContext) async throws {
        let thread = PluginThread(name: "skit-wasm")
        defer { thread.finish() }
        try await withTaskExecutorPreference(thread) {
            try await runOnPluginThread(context: context, thread: thread)
        }
    }

    private func runOnPluginThread(context: NodeContext, thread: PluginThread) async throws {
        guard await thread.hop() else { throw StreamKitError.runtime("\(kind): could not start the plugin's thread") }
        var logger = library.logger
        logger[metadataKey: "node"] = "\(context.nodeID)"
        let node = try WasmNodeInstance(library: library, params: params, logger: logger)
        defer { node.finish() }
        context.setState(.running)

        while let input = await context.next() {
            switch input {
            case .packet(let pin, let packet):
                let sent: [(pin: String, packet: Packet)]
                do {
                    sent = try node.process(packet, on: pin)
                } catch {
                    context.countErrored()
                    throw StreamKitError.plugin(error.description)
                }
                try await deliver(sent, context: context)
            case .paramsUpdate(let update):
                do {
                    try node.updateParams(update.params)
                    update.accept()
                } catch {
                    update.reject(error.description)
                    if error.broken { throw StreamKitError.plugin(error.description) }
                }
            case .inputClosed, .timeout:
                continue
            }
        }
    }

    private func deliver(_ packets: [(pin: String, packet: Packet)], context: NodeContext) async throws {
        for (pin, packet) in packets {
            guard outputPins.contains(where: { $0.name == pin }) else {
                context.countDiscarded()
                continue
            }
            try await context.send(packet, to: pin)
        }
    }
}
