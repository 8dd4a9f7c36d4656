import CStreamKitNativeABI
import StreamKitCore

/// A pipeline node backed by a native plugin instance.
///
/// The instance is created when the node starts, on the node's own thread (a slow
/// `create_instance`, e.g. a model load, blocks nobody else), and destroyed there exactly once
/// when the node ends. Every input pin is read and its real name is passed to the plugin (the
/// original read only `in`). Outputs of a call are sent downstream after it returns, with
/// backpressure. `flush` runs when every input has ended, never on shutdown.
struct NativePluginNode: Node {
    let library: NativePluginLibrary
    let params: JSONValue

    var inputPins: [InputPin] { library.metadata.inputs }
    var outputPins: [OutputPin] { library.metadata.outputs }
    private var kind: String { library.metadata.kind }

    func run(context: NodeContext) async throws {
        let thread = PluginThread(name: "skit-plugin")
        defer { thread.finish() }
        try await withTaskExecutorPreference(thread) {
            try await runOnPluginThread(context: context, thread: thread)
        }
    }

    private func runOnPluginThread(context: NodeContext, thread: PluginThread) async throws {
        guard await thread.hop() else {
            throw StreamKitError.runtime("\(kind): could not start the plugin's thread")
        }
        let instance = try NativePluginInstance.create(library: library, paramsJSON: params.jsonString())
        defer { instance.destroy() }
        context.setState(.running)
        let calls = PluginCallContext(node: context)
        var warnedPins: Set<String> = []

        while let input = await context.next() {
            switch input {
            case .packet(let pin, let packet):
                do {
                    try instance.process(pin: pin, packet: packet, context: calls)
                } catch {
                    context.countErrored()
                    throw error
                }
                try await deliver(calls.takeOutputs(), context: context, warnedPins: &warnedPins)
            case .paramsUpdate(let update):
                do {
                    try instance.updateParams(update.params.jsonString())
                    update.accept()
                } catch {
                    update.reject("\(error)")
                    // A refusal leaves the node running; a crash has already abandoned the instance.
                    if instance.isAbandoned { throw error }
                }
            case .inputClosed, .timeout:
                continue
            }
        }
        guard !context.isShutdownRequested, !Task.isCancelled else { return }
        try instance.flush(context: calls)
        try await deliver(calls.takeOutputs(), context: context, warnedPins: &warnedPins)
    }

    /// Sends a call's outputs in order. A pin the node does not declare is skipped, counted and
    /// warned about once (the original also dropped these; it only logged at send time).
    private func deliver(_ outputs: [(pin: String, packet: Packet)], context: NodeContext, warnedPins: inout Set<String>) async throws {
        for (pin, packet) in outputs {
            guard outputPins.contains(where: { $0.name == pin }) else {
                context.countDiscarded()
                if warnedPins.insert(pin).inserted {
                    library.logSink.log(
                        level: LOG_LEVEL_WARN, target: "host",
                        message: "node '\(context.nodeID)' emitted a packet on unknown output pin '\(pin)' (pins: \(outputPins.map(\.name).joined(separator: ", "))); dropped"
                    )
                }
                continue
            }
            try await context.send(packet, to: pin)
        }
    }
}
