import Logging
import StreamKitCore
import StreamKitSchema
import Synchronization

/// A long-running graph that can be reshaped while packets flow: nodes added and removed,
/// pins connected and disconnected (type-checked), parameters tuned. Every change, and every
/// node state, stats and telemetry change, is published on `events`.
///
/// End of stream propagates as in oneshot runs: when a source finishes, the nodes it fed
/// flush and close in turn. A failing node goes to `failed` with its reason; the rest goes on.
public actor DynamicSession {
    public nonisolated let id: String
    public nonisolated let name: String?
    public nonisolated let events: EventBroadcaster<SessionEvent>
    public nonisolated let registry: NodeRegistry
    public nonisolated let configuration: EngineConfiguration

    /// The running nodes; `graph` holds their shape (order, pins, links).
    private var runtimes: [String: NodeRuntime] = [:]
    private var graph = PipelineGraph()
    private var lastPublishedStats: [String: NodeStats] = [:]
    private var statsTask: Task<Void, Never>?
    private var stopped = false
    private let logger: Logger

    public init(
        id: String, name: String? = nil, registry: NodeRegistry, configuration: EngineConfiguration = EngineConfiguration(),
        logger: Logger = Logger(label: "streamkit.session")
    ) {
        self.id = id
        self.name = name
        self.registry = registry
        self.configuration = configuration
        self.events = EventBroadcaster(subscriberCapacity: configuration.subscriberQueueCapacity)
        var logger = logger
        logger[metadataKey: "session"] = "\(id)"
        self.logger = logger
    }

    /// Builds a session from a pipeline document: all its nodes and links, or nothing.
    public static func start(
        id: String, name: String? = nil, document: PipelineDocument, registry: NodeRegistry,
        configuration: EngineConfiguration = EngineConfiguration()
    ) async throws(SessionError) -> DynamicSession {
        var document = document
        document.mode = .dynamic
        let plan: PipelinePlan
        do {
            plan = try PipelineCompiler.compile(document, registry: registry)
        } catch {
            throw SessionError(.invalid, error.description, issues: error.issues)
        }
        let session = DynamicSession(id: id, name: name ?? document.name, registry: registry, configuration: configuration)
        await session.install(plan)
        return session
    }

    private func install(_ plan: PipelinePlan) {
        startStatsTicker()
        for planned in plan.nodes {
            addRuntime(id: planned.id, kind: planned.kind, node: planned.node, params: planned.params)
        }
        for link in plan.links {
            attach(link.spec)
        }
        startReadySources()
    }

    // MARK: Queries

    /// Events from now on, each subscriber with its own bounded queue.
    public nonisolated func subscribe() -> EventSubscription<SessionEvent> {
        events.subscribe()
    }

    /// The graph as it stands, with live states and counters.
    public func snapshot() -> SessionSnapshot {
        var document = PipelineDocument(name: name, mode: .dynamic)
        var states: [String: NodeState] = [:]
        var stats: [String: NodeStats] = [:]
        for nodeID in graph.nodeIDs {
            guard let runtime = runtimes[nodeID] else { continue }
            document.nodes.append(.init(id: nodeID, kind: runtime.kind, params: runtime.params.withLock { $0 }))
            states[nodeID] = runtime.context.state
            stats[nodeID] = runtime.context.stats
        }
        for linkID in graph.linkIDs {
            guard let mode = graph.mode(of: linkID) else { continue }
            document.links.append(.init(from: linkID.fromNode, fromPin: linkID.fromPin, to: linkID.toNode, toPin: linkID.toPin, mode: mode))
        }
        return SessionSnapshot(id: id, name: name, pipeline: document, states: states, stats: stats)
    }

    public func state(of nodeID: String) -> NodeState? {
        runtimes[nodeID]?.context.state
    }

    public func stats(of nodeID: String) -> NodeStats? {
        runtimes[nodeID]?.context.stats
    }

    public var nodeIDs: [String] { graph.nodeIDs }
    public var isStopped: Bool { stopped }

    // MARK: Changes

    /// Adds a node; it starts at once (a source starts when one of its outputs is connected).
    public func addNode(id nodeID: String, kind: String, params: JSONValue?) throws(SessionError) {
        try ensureRunning()
        guard !nodeID.isEmpty else { throw SessionError(.invalid, "node names must not be empty") }
        guard runtimes[nodeID] == nil else {
            throw SessionError(.conflict, "a node named '\(nodeID)' already exists in this session", node: nodeID)
        }
        guard let definition = registry.definition(for: kind) else {
            let hint = registry.suggestion(for: kind).map { " — did you mean '\($0)'?" } ?? ""
            throw SessionError(.invalid, "unknown node kind '\(kind)'\(hint)", node: nodeID)
        }
        if definition.oneshotOnly {
            throw SessionError(.invalid, "'\(kind)' is oneshot-only and cannot be used in a dynamic session", node: nodeID)
        }
        let checked: (params: JSONValue, warnings: [SchemaViolation])
        let node: any Node
        do {
            checked = try registry.checkParams(kind: kind, nodeID: nodeID, params: params)
            node = try registry.makeNode(kind: kind, nodeID: nodeID, params: params)
        } catch {
            throw SessionError(.invalid, error.description, node: nodeID)
        }
        addRuntime(id: nodeID, kind: kind, node: node, params: checked.params)
    }

    /// Removes a node and every link to and from it. The node is stopped at once.
    public func removeNode(id nodeID: String) async throws(SessionError) {
        guard let runtime = runtimes[nodeID] else {
            throw SessionError(.notFound, "no node named '\(nodeID)' in this session", node: nodeID)
        }
        for linkID in graph.links(touching: nodeID) {
            detach(linkID)
        }
        runtimes[nodeID] = nil
        graph.removeNode(nodeID)
        lastPublishedStats[nodeID] = nil
        events.publish(.nodeRemoved(node: nodeID))
        await stop([runtime])
    }

    /// Connects `from.fromPin` to `to.toPin`, checking that both pins exist and the types fit.
    public func connect(_ link: PipelineDocument.LinkSpec) throws(SessionError) {
        try ensureRunning()
        try validate(link)
        attach(link)
        startReadySources()
    }

    /// Removes a link. The destination pin stays open (this is an edit, not end of stream).
    public func disconnect(_ linkID: LinkID) throws(SessionError) {
        guard graph.mode(of: linkID) != nil else {
            throw SessionError(.notFound, "there is no link \(linkID)", node: linkID.toNode)
        }
        detach(linkID)
    }

    /// Changes a node's parameters while it runs. `params` may be partial: given fields replace
    /// the current ones. The merged parameters are checked against the kind's schema, then the
    /// node is asked to apply them; its refusal (or silence) is thrown. Returns the new parameters.
    @discardableResult
    public func tune(node nodeID: String, params: JSONValue, waitForReply: Bool = true) async throws(SessionError) -> JSONValue {
        try ensureRunning()
        guard let runtime = runtimes[nodeID] else {
            throw SessionError(.notFound, "no node named '\(nodeID)' in this session", node: nodeID)
        }
        guard let partial = params.objectValue else {
            throw SessionError(.invalid, "parameters must be an object, got \(params.typeName)", node: nodeID)
        }
        var merged = runtime.params.withLock { $0 }.objectValue ?? JSONObject()
        for (key, value) in partial { merged[key] = value }
        let checked: JSONValue
        do {
            checked = try registry.checkParams(kind: runtime.kind, nodeID: nodeID, params: .object(merged)).params
        } catch {
            throw SessionError(.invalid, error.description, node: nodeID)
        }
        if runtime.context.state.isFinal {
            throw SessionError(.invalid, "node '\(nodeID)' has stopped (\(runtime.context.state.name)); it cannot be tuned", node: nodeID)
        }
        let reply = ReplyWaiter()
        // The update is not kept here: a node that drops it unanswered must release the last
        // reference, which rejects it at once instead of leaving us to time out.
        guard runtime.inbox.deliver(ParamsUpdate(params: checked, kind: runtime.kind) { result in reply.resolve(result) }) else {
            throw SessionError(.invalid, "node '\(nodeID)' has stopped; it cannot be tuned", node: nodeID)
        }
        if waitForReply {
            let result = await reply.wait(timeout: configuration.tuneReplyTimeout)
            switch result {
            case .none:
                throw SessionError(.timeout, "node '\(nodeID)' did not answer the parameter update in time", node: nodeID)
            case .some(.failure(let error)):
                throw SessionError(.invalid, "node '\(nodeID)' refused the parameters: \(error.description)", node: nodeID)
            case .some(.success):
                break
            }
        }
        runtime.params.withLock { $0 = checked }
        events.publish(.paramsChanged(node: nodeID, params: checked))
        return checked
    }

    /// Stops every node (within the configured deadline) and ends the event stream.
    public func shutdown() async {
        guard !stopped else { return }
        stopped = true
        statsTask?.cancel()
        let all = graph.nodeIDs.compactMap { runtimes[$0] }
        await stop(all)
        publishChangedStats()
        events.publish(.sessionStopped)
        events.finish()
    }

    // MARK: Internals

    private func ensureRunning() throws(SessionError) {
        if stopped { throw SessionError(.stopped, "session '\(id)' has stopped") }
    }

    private func addRuntime(id nodeID: String, kind: String, node: any Node, params: JSONValue) {
        let events = self.events
        let sink = NodeEventSink(
            stateChanged: { nodeID, state in events.publish(.nodeStateChanged(node: nodeID, state: state)) },
            telemetry: { event in events.publish(.telemetry(event)) }
        )
        let runtime = NodeRuntime(
            id: nodeID, kind: kind, node: node, params: params, mode: .dynamic, sessionID: id,
            configuration: configuration, sink: sink
        )
        runtimes[nodeID] = runtime
        graph.addNode(id: nodeID, kind: kind, node: node)
        events.publish(.nodeAdded(node: nodeID, kind: kind, params: params))
        if runtime.isSource {
            runtime.context.setState(.ready)
        } else {
            start(runtime)
        }
    }

    private func start(_ runtime: NodeRuntime) {
        runtime.start { [weak self] runtime, _ in
            Task { await self?.nodeFinished(runtime) }
        }
    }

    private func nodeFinished(_ runtime: NodeRuntime) {
        let stats = runtime.context.stats
        guard runtimes[runtime.id] === runtime else { return }
        lastPublishedStats[runtime.id] = stats
        events.publish(.nodeStatsUpdated(node: runtime.id, stats: stats))
    }

    private func startReadySources() {
        for nodeID in graph.nodeIDs {
            guard let runtime = runtimes[nodeID], runtime.isSource, !runtime.isStarted else { continue }
            if runtime.outputs.values.contains(where: \.isConnected) {
                start(runtime)
            }
        }
    }

    private func validate(_ link: PipelineDocument.LinkSpec) throws(SessionError) {
        guard runtimes[link.from] != nil else {
            throw SessionError(.notFound, "source node '\(link.from)' not found", node: link.from)
        }
        guard let destination = runtimes[link.to] else {
            throw SessionError(.notFound, "destination node '\(link.to)' not found", node: link.to)
        }
        guard graph.mode(of: link.id) == nil else {
            throw SessionError(.conflict, "link \(link.id) already exists", node: link.to)
        }
        for (side, address) in [(PipelineGraph.PinSide.output, link.id.source), (.input, link.id.destination)] {
            guard !graph.hasPin(side, at: address), let vertex = graph.vertex(address.node) else { continue }
            throw SessionError(.invalid, PipelineGraph.noSuchPin(side, address.pin, on: vertex, namingNode: true), node: address.node)
        }
        if let existing = graph.links(into: link.to).first(where: { $0.toPin == link.toPin }) {
            throw SessionError(.conflict, "input pin '\(link.to).\(link.toPin)' already has a link from '\(existing.fromNode).\(existing.fromPin)'; disconnect it first (or use an audio::mixer)", node: link.to)
        }
        if destination.context.state.isFinal {
            throw SessionError(.invalid, "node '\(link.to)' has stopped (\(destination.context.state.name)); it cannot take a new link", node: link.to)
        }
        // A passthrough output that nothing typed feeds yet may go anywhere: it is checked by use.
        if case .mismatch(_, _, let message) = graph.typeCheck(from: link.id.source, to: link.id.destination) {
            throw SessionError(.invalid, message, node: link.to)
        }
    }

    private func attach(_ link: PipelineDocument.LinkSpec) {
        guard let source = runtimes[link.from], let destination = runtimes[link.to], source.outputs[link.fromPin] != nil else { return }
        source.connect(link.id, mode: link.mode, to: destination, capacity: configuration.nodeInputCapacity)
        graph.addLink(link.id, mode: link.mode)
        events.publish(.linkAdded(link.id, mode: link.mode))
    }

    private func detach(_ linkID: LinkID) {
        guard graph.removeLink(linkID) else { return }
        runtimes[linkID.fromNode]?.disconnect(linkID)
        events.publish(.linkRemoved(linkID))
    }

    /// Asks nodes to stop, cancels them, and waits up to the shutdown timeout for their tasks.
    private func stop(_ targets: [NodeRuntime]) async {
        for runtime in targets {
            runtime.inbox.requestShutdown()
            runtime.cancel()
            if !runtime.isStarted {
                runtime.context.setState(.stopped(reason: .shutdown))
                runtime.finishLinks()
            }
        }
        let timeout = configuration.nodeShutdownTimeout
        let logger = self.logger
        await withTaskGroup(of: Void.self) { group in
            for runtime in targets where runtime.isStarted {
                group.addTask {
                    let finished = await ReplyWaiter.race(timeout: timeout) { await runtime.waitUntilFinished() }
                    if finished == nil {
                        logger.warning("node did not stop in time; abandoned", metadata: ["node": "\(runtime.id)", "kind": "\(runtime.kind)"])
                    }
                }
            }
        }
    }

    private func startStatsTicker() {
        let interval = configuration.statsInterval
        statsTask = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self else { return }
                await self.publishChangedStats()
            }
        }
    }

    /// Publishes the counters of every node whose counters changed since the last publication.
    private func publishChangedStats() {
        for nodeID in graph.nodeIDs {
            guard let runtime = runtimes[nodeID] else { continue }
            let stats = runtime.context.stats
            if let last = lastPublishedStats[nodeID], !stats.countersDiffer(from: last) { continue }
            if lastPublishedStats[nodeID] == nil, !stats.countersDiffer(from: NodeStats()) { continue }
            lastPublishedStats[nodeID] = stats
            events.publish(.nodeStatsUpdated(node: nodeID, stats: stats))
        }
    }
}
