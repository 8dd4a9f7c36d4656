import Logging
import StreamKitCore
import Synchronization

/// Why a oneshot run could not start or did not finish.
public enum OneshotError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The pipeline and the run's input/output do not fit together.
    case invalidSetup(String)
    /// A node failed; the run was stopped.
    case nodeFailed(node: String, kind: String, reason: String)
    /// Whoever read the output went away before the end.
    case outputClosed

    public var description: String {
        switch self {
        case .invalidSetup(let message): message
        case .nodeFailed(let node, let kind, let reason): "node '\(node)' (\(kind)) failed: \(reason)"
        case .outputClosed: "the output was closed before the pipeline finished"
        }
    }
}

/// What a finished oneshot run reports.
public struct OneshotSummary: Sendable {
    /// Final state of every node.
    public var finalStates: [String: NodeState]
    /// Final counters of every node.
    public var stats: [String: NodeStats]
}

/// Runs a oneshot pipeline: input bytes in (optional), output bytes out, as they are produced.
///
/// Fan-out and fan-in are allowed (the original only runs chains). End of stream flows from the
/// sources down; a node failure stops the run and is thrown; a consumer that goes away
/// cancels the run.
public struct OneshotRunner: Sendable {
    public static let inputKind = "streamkit::http_input"
    public static let outputKind = "streamkit::http_output"

    public let registry: NodeRegistry
    public let configuration: EngineConfiguration
    private let logger: Logger
    /// Plans are immutable (nodes keep their working state inside `run`), so the same pipeline text
    /// sent again — the common case for an API — is parsed and checked once.
    private let plans = PlanCache(capacity: 64)

    public init(registry: NodeRegistry, configuration: EngineConfiguration = EngineConfiguration(), logger: Logger = Logger(label: "streamkit.oneshot")) {
        self.registry = registry
        self.configuration = configuration
        self.logger = logger
    }

    /// Parses and checks a document for a oneshot run (its `mode:` is taken as oneshot).
    public func plan(_ text: String) throws(PipelineValidationError) -> PipelinePlan {
        let generation = registry.generation
        if let cached = plans.plan(for: text, generation: generation) { return cached }
        var document = try PipelineParser.parse(text)
        document.mode = .oneshot
        let plan = try PipelineCompiler.compile(document, registry: registry)
        plans.store(plan, for: text, generation: generation)
        return plan
    }

    /// The content type of the run's output: the output node's `content_type` parameter, else the
    /// content type of the node feeding it, else the input's, else `application/octet-stream`.
    public static func outputContentType(of plan: PipelinePlan, inputContentType: String?) -> String {
        for planned in plan.nodes where planned.kind == outputKind {
            if let endpoint = planned.node as? any OneshotOutputEndpoint, let declared = endpoint.declaredContentType {
                return declared
            }
            for link in plan.graph.links(into: planned.id) {
                if let type = plan.graph.vertex(link.fromNode)?.node.contentType { return type }
            }
        }
        return inputContentType ?? "application/octet-stream"
    }

    /// Whether the plan reads the run's input / writes the run's output.
    public static func endpoints(of plan: PipelinePlan) -> (readsInput: Bool, writesOutput: Bool) {
        (plan.nodes.contains { $0.kind == inputKind }, plan.nodes.contains { $0.kind == outputKind })
    }

    /// Runs the plan to the end. Throws `OneshotError` when a node fails or the output goes away.
    public func run(
        _ plan: PipelinePlan, input: (any ByteSource)?, inputContentType: String? = nil, output: (any ByteSink)?
    ) async throws -> OneshotSummary {
        let (readsInput, writesOutput) = Self.endpoints(of: plan)
        if readsInput && input == nil {
            throw OneshotError.invalidSetup("the pipeline reads its input through '\(Self.inputKind)', but no input was given")
        }
        if input != nil && !readsInput {
            throw OneshotError.invalidSetup("an input was given, but the pipeline has no '\(Self.inputKind)' node to receive it")
        }
        if writesOutput && output == nil {
            throw OneshotError.invalidSetup("the pipeline writes its output through '\(Self.outputKind)', but no output was given")
        }
        if plan.nodes.filter({ $0.kind == Self.inputKind }).count > 1 || plan.nodes.filter({ $0.kind == Self.outputKind }).count > 1 {
            throw OneshotError.invalidSetup("a oneshot pipeline has at most one '\(Self.inputKind)' and one '\(Self.outputKind)'")
        }

        let logger = self.logger
        let sink = NodeEventSink(
            stateChanged: { nodeID, state in
                if case .failed(let reason) = state { logger.error("node failed", metadata: ["node": "\(nodeID)", "reason": "\(reason)"]) }
            },
            telemetry: { _ in true }
        )
        var runtimes: [NodeRuntime] = []
        for planned in plan.nodes {
            var node = planned.node
            if let endpoint = node as? any OneshotInputEndpoint, let input {
                node = endpoint.bound(to: input, contentType: inputContentType)
            } else if let endpoint = node as? any OneshotOutputEndpoint, let output {
                node = endpoint.bound(to: output)
            }
            runtimes.append(NodeRuntime(
                id: planned.id, kind: planned.kind, node: node, params: planned.params, mode: .oneshot,
                sessionID: nil, configuration: configuration, sink: sink
            ))
        }
        let byID = Dictionary(runtimes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for link in plan.graph.linkIDs {
            guard let source = byID[link.fromNode], let destination = byID[link.toNode], let mode = plan.graph.mode(of: link) else { continue }
            source.connect(link, mode: mode, to: destination, capacity: configuration.oneshotInputCapacity)
        }
        let fedPins = plan.graph.fedInputs
        for runtime in runtimes {
            for pin in runtime.inbox.pinNames where !fedPins.contains(PinAddress(node: runtime.id, pin: pin)) {
                runtime.inbox.endPin(pin)
            }
        }

        let failure = FirstFailure()
        let allRuntimes = runtimes
        await withTaskGroup(of: Void.self) { group in
            for runtime in allRuntimes {
                group.addTask {
                    runtime.start { _, _ in }
                    let state = await withTaskCancellationHandler {
                        await runtime.waitUntilFinished()
                    } onCancel: {
                        runtime.inbox.requestShutdown()
                        runtime.cancel()
                    }
                    switch state {
                    case .failed(let reason):
                        failure.record(.nodeFailed(node: runtime.id, kind: runtime.kind, reason: reason))
                    case .stopped(let reason) where reason == .outputClosed && runtime.kind == Self.outputKind:
                        failure.record(.outputClosed)
                    default:
                        return
                    }
                    // Stop everything else: the run's result is already decided.
                    for other in allRuntimes {
                        other.inbox.requestShutdown()
                        other.cancel()
                    }
                }
            }
        }
        let summary = OneshotSummary(
            finalStates: Dictionary(runtimes.map { ($0.id, $0.context.state) }, uniquingKeysWith: { first, _ in first }),
            stats: Dictionary(runtimes.map { ($0.id, $0.context.stats) }, uniquingKeysWith: { first, _ in first })
        )
        if let error = failure.error { throw error }
        return summary
    }
}

/// Keeps the first error of a run.
private final class FirstFailure: Sendable {
    private let value = Mutex<OneshotError?>(nil)
    func record(_ error: OneshotError) {
        value.withLock { if $0 == nil { $0 = error } }
    }
    var error: OneshotError? { value.withLock { $0 } }
}

/// A small least-recently-used cache of compiled oneshot plans, keyed by pipeline text and the
/// registry generation they were compiled against (a plugin change invalidates them).
final class PlanCache: Sendable {
    private struct Entry {
        var plan: PipelinePlan
        var generation: UInt64
        var lastUse: UInt64
    }
    private let entries = Mutex<(items: [String: Entry], clock: UInt64)>(([:], 0))
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    func plan(for text: String, generation: UInt64) -> PipelinePlan? {
        entries.withLock { state in
            guard var entry = state.items[text], entry.generation == generation else { return nil }
            state.clock += 1
            entry.lastUse = state.clock
            state.items[text] = entry
            return entry.plan
        }
    }

    func store(_ plan: PipelinePlan, for text: String, generation: UInt64) {
        entries.withLock { state in
            state.clock += 1
            if state.items.count >= capacity, state.items[text] == nil,
               let oldest = state.items.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
                state.items[oldest] = nil
            }
            state.items[text] = Entry(plan: plan, generation: generation, lastUse: state.clock)
        }
    }
}
