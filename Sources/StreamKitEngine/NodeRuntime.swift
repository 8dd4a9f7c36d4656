import StreamKitCore
import Synchronization

/// One node of a running graph: its instance, context, inbox and output ports, and its task.
final class NodeRuntime: Sendable {
    let id: String
    let kind: String
    let node: any Node
    let context: NodeContext
    let inbox: NodeInbox
    let outputs: [String: OutputPort]
    private let task = Mutex<Task<NodeState, Never>?>(nil)
    let params: Mutex<JSONValue>

    init(
        id: String, kind: String, node: any Node, params: JSONValue, mode: PipelineMode, sessionID: String?,
        configuration: EngineConfiguration, sink: NodeEventSink
    ) {
        self.id = id
        self.kind = kind
        self.node = node
        self.params = Mutex(params)
        let inbox = NodeInbox(endsWithNoPins: mode == .oneshot)
        let capacity = mode == .oneshot ? configuration.oneshotInputCapacity : configuration.nodeInputCapacity
        for pin in node.inputPins {
            if case .dynamic = pin.cardinality { continue }
            inbox.addPin(pin.name, capacity: capacity)
        }
        var outputs: [String: OutputPort] = [:]
        for pin in node.outputPins { outputs[pin.name] = OutputPort(name: pin.name) }
        self.inbox = inbox
        self.outputs = outputs
        self.context = NodeContext(
            nodeID: id, kind: kind, sessionID: sessionID, mode: mode, batchSize: configuration.packetBatchSize,
            inbox: inbox, outputs: outputs, sink: sink, maxTelemetryPerSecond: configuration.maxTelemetryPerSecond
        )
    }

    /// A node with no input pins makes packets on its own; it is held until something listens.
    var isSource: Bool { node.inputPins.isEmpty }

    var isStarted: Bool { task.withLock { $0 != nil } }

    /// Starts the node's task once; later calls do nothing. `onFinish` runs after the node's
    /// final state is set and its links have been ended.
    func start(onFinish: @escaping @Sendable (NodeRuntime, NodeState) -> Void) {
        task.withLock { task in
            guard task == nil else { return }
            task = Task { [self] in
                let state = await self.execute()
                onFinish(self, state)
                return state
            }
        }
    }

    /// Waits for the node's task; returns its final state (nil when it never started).
    func waitUntilFinished() async -> NodeState? {
        guard let running = task.withLock({ $0 }) else { return nil }
        return await running.value
    }

    func cancel() {
        task.withLock { $0 }?.cancel()
    }

    private func execute() async -> NodeState {
        context.setState(.running)
        var final: NodeState
        do {
            try await node.run(context: context)
            final = .stopped(reason: isSource ? .completed : .inputClosed)
        } catch let stop as NodeStopRequested {
            final = .stopped(reason: stop.reason)
        } catch is CancellationError {
            final = .stopped(reason: .shutdown)
        } catch {
            final = .failed(reason: "\(error)")
        }
        if !final.isFailed, context.isShutdownRequested || Task.isCancelled {
            final = .stopped(reason: .shutdown)
        } else if case .stopped = context.state, !final.isFailed {
            // The node named its own reason; keep it.
            final = context.state
        }
        context.setState(final)
        finishLinks()
        return final
    }

    /// Wires output pin `link.fromPin` of this node to input pin `link.toPin` of `destination`
    /// (adding the pin, with room for `capacity` packets, when it is a member of a dynamic family).
    func connect(_ link: LinkID, mode: LinkMode, to destination: NodeRuntime, capacity: Int) {
        guard let port = outputs[link.fromPin] else { return }
        destination.inbox.addPin(link.toPin, capacity: capacity)
        destination.inbox.addWriter(to: link.toPin)
        port.add(.init(id: link, inbox: destination.inbox, mode: mode))
    }

    /// Unwires `link` from this node's output. The destination pin stays open: this is an edit,
    /// not end of stream.
    func disconnect(_ link: LinkID) {
        if let removed = outputs[link.fromPin]?.remove(link) {
            removed.inbox.removeWriter(from: link.toPin)
        }
    }

    /// Closes the inbox and ends every outgoing link, so downstream pins see end of stream.
    func finishLinks() {
        inbox.close()
        for port in outputs.values {
            for link in port.removeAll() {
                link.inbox.writerFinished(on: link.id.toPin)
            }
        }
    }
}

extension NodeState {
    var isFailed: Bool {
        if case .failed = self { true } else { false }
    }
}
