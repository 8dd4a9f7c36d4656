import StreamKitCore

/// A pipeline node backed by a plugin instance of any kind.
///
/// The instance is made when the node starts, on a ``PluginThread`` of the node's own (never the
/// cooperative pool), and finished there exactly once when the node ends. Every input pin is read
/// and its name passed to the plugin. What a call emits is sent downstream after it returns, with
/// backpressure; a pin the node does not declare is dropped, counted, and warned about once.
/// `flush` runs when every input has ended, never on shutdown.
public struct PluginNode<Library: PluginLibrary>: Node {
    public let library: Library
    public let params: JSONValue

    public init(library: Library, params: JSONValue) {
        self.library = library
        self.params = params
    }

    public var inputPins: [InputPin] { library.inputPins }
    public var outputPins: [OutputPin] { library.outputPins }

    public func run(context: NodeContext) async throws {
        let thread = PluginThread(name: library.threadName) { [library] in library.prepareThread() }
        defer { thread.finish() }
        try await withTaskExecutorPreference(thread) {
            try await runOnPluginThread(context: context, thread: thread)
        }
    }

    private func runOnPluginThread(context: NodeContext, thread: PluginThread) async throws {
        guard await thread.hop() else {
            throw StreamKitError.runtime("\(library.kind): could not start the plugin's thread")
        }
        let instance = try library.makeInstance(params: params, node: context)
        defer { instance.finish() }
        context.setState(.running)
        var delivery = OutputDelivery(declared: outputPins)

        while let input = await context.next() {
            switch input {
            case .packet(let pin, let packet):
                let outputs: [PluginOutput]
                do {
                    outputs = try instance.process(packet, on: pin)
                } catch {
                    context.countErrored()
                    throw error
                }
                try await delivery.send(outputs, context: context, instance: instance)
            case .paramsUpdate(let update):
                do {
                    try instance.updateParams(update.params)
                    update.accept()
                } catch {
                    update.reject(error.message)
                    if let fatal = error.fatal { throw fatal }
                }
            case .inputClosed, .timeout:
                continue
            }
        }
        guard !context.isShutdownRequested, !Task.isCancelled else { return }
        try await delivery.send(instance.flush(), context: context, instance: instance)
    }
}

/// Sends a call's outputs in order, skipping pins the node does not declare.
private struct OutputDelivery {
    let declared: [OutputPin]
    private var warnedPins: Set<String> = []

    init(declared: [OutputPin]) {
        self.declared = declared
    }

    mutating func send(_ outputs: [PluginOutput], context: NodeContext, instance: some PluginInstance) async throws {
        for output in outputs {
            guard declared.contains(where: { $0.name == output.pin }) else {
                context.countDiscarded()
                if warnedPins.insert(output.pin).inserted {
                    instance.hostWarning(
                        "node '\(context.nodeID)' emitted a packet on unknown output pin '\(output.pin)' (pins: \(declared.map(\.name).joined(separator: ", "))); dropped"
                    )
                }
                continue
            }
            try await context.send(output.packet, to: output.pin)
        }
    }
}
