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

    private func fail(_ what: String, _ error: any Error) -> StreamKitError {
        .plugin("\(kind): \(what): \(error)")
    }

    private func runOnPluginThread(context: NodeContext, thread: PluginThread) async throws {
        guard await thread.hop() else { throw StreamKitError.runtime("\(kind): could not start the plugin's thread") }
        var logger = library.logger
        logger[metadataKey: "node"] = "\(context.nodeID)"
        let outputs = WasmCallOutputs()
        let instance: ComponentInstance
        let exports: WasmPluginLinker.NodeExports
        let handle: ResourceHandle
        do {
            instance = try ComponentInstance(library.component, linker: WasmPluginLinker.make(logger: logger, outputs: outputs), engine: library.engine, limits: library.limits)
            exports = try WasmPluginLinker.exports(of: instance, resource: try WasmPluginLinker.nodeResource(instance))
        } catch {
            throw fail("cannot instantiate the component", error)
        }
        do {
            guard case .own(let made)? = try instance.call(exports.constructor, [.option(.string(params.jsonString()))], startup: true).first else {
                throw StreamKitError.plugin("\(kind): the constructor returned no node-instance")
            }
            handle = made
        } catch let error as StreamKitError {
            throw error
        } catch {
            throw fail("the constructor failed", error)
        }
        var healthy = true
        defer {
            // cleanup and the resource drop, unless the instance is broken (a trap or a limit).
            if healthy {
                _ = try? instance.call(exports.cleanup, [.borrow(handle)])
                try? instance.drop(handle)
            }
        }
        context.setState(.running)

        while let input = await context.next() {
            switch input {
            case .packet(let pin, let packet):
                let result: ComponentValue?
                do {
                    result = try instance.call(exports.process, [.borrow(handle), .string(pin), WasmPacketBridge.value(packet)]).first
                } catch {
                    healthy = false
                    context.countErrored()
                    throw fail("process failed", error)
                }
                if let conversion = outputs.conversionError {
                    context.countErrored()
                    throw StreamKitError.plugin("\(kind): process \(conversion)")
                }
                if case .error(let message)? = result {
                    context.countErrored()
                    throw StreamKitError.plugin("\(kind): process failed: \(Self.text(message))")
                }
                try await deliver(outputs.take(), context: context)
            case .paramsUpdate(let update):
                do {
                    let result = try instance.call(exports.updateParams, [.borrow(handle), .option(.string(update.params.jsonString()))]).first
                    if case .error(let message)? = result {
                        update.reject("\(kind): update-params refused: \(Self.text(message))")
                    } else {
                        update.accept()
                    }
                } catch {
                    healthy = false
                    update.reject("\(kind): update-params failed: \(error)")
                    throw fail("update-params failed", error)
                }
            case .inputClosed, .timeout:
                continue
            }
        }
    }

    private static func text(_ value: ComponentValue?) -> String {
        if case .string(let message)? = value { return message }
        return "unknown error"
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
