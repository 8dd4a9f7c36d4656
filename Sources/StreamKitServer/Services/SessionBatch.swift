import Logging
import StreamKitCore
import StreamKitEngine

/// One problem with a batch, as the original's `ValidationError`
/// `{error_type, message, node_id, connection_id}`.
struct BatchProblem: Sendable, Equatable {
    var message: String
    var nodeID: String?
    /// `from.pin -> to.pin` when the problem is about one link.
    var connectionID: String?

    var json: JSONValue {
        [
            "error_type": "error", "message": .string(message),
            "node_id": nodeID.map(JSONValue.string) ?? .null,
            "connection_id": connectionID.map(JSONValue.string) ?? .null,
        ]
    }
}

/// `validatebatch` and `applybatch`.
///
/// Unlike the original (which only looked at permissions and paths, and then applied operations
/// one by one with no way back), a batch is checked for real: the would-be graph (the session's
/// current graph with every operation applied) is compiled like a pipeline document, so unknown
/// kinds, bad parameters, missing nodes and pins, type mismatches, taken input pins and cycles are
/// all found, together with the role's allowlist and file path problems. `applybatch` is atomic:
/// nothing is applied unless the whole batch checks out, and if an operation still fails when
/// applied (the graph changed meanwhile, a node stopped), the operations already applied are undone
/// in reverse order. Undoing a `removenode` re-creates the node with its parameters and links; its
/// runtime state (counters, position in a stream) starts afresh.
struct SessionBatch: Sendable {
    let gate: PipelineGate
    let registry: NodeRegistry
    let caller: Caller
    let logger: Logger

    /// Every problem the batch would run into on `session` right now; empty when it would apply cleanly.
    func validate(_ operations: [BatchOperation], on session: DynamicSession) async -> [BatchProblem] {
        let current = await session.snapshot().pipeline
        return check(operations, against: current)
    }

    /// Validates, then applies every operation in order; on failure undoes what was applied.
    /// - Returns: the problems that kept the batch from applying; empty on success.
    func apply(_ operations: [BatchOperation], to session: DynamicSession) async -> [BatchProblem] {
        var graph = await session.snapshot().pipeline
        let problems = check(operations, against: graph)
        guard problems.isEmpty else { return problems }

        var undo: [[BatchOperation]] = []
        for (index, operation) in operations.enumerated() {
            let inverse = Self.inverse(of: operation, in: graph)
            do throws(SessionError) {
                try await perform(operation, on: session)
            } catch {
                var failures = [BatchProblem(
                    message: "\(Self.label(index, operation)): \(error.message); no operation of the batch was applied",
                    nodeID: error.node, connectionID: Self.connectionID(of: operation)
                )]
                failures += await rollback(undo, on: session)
                return failures
            }
            undo.append(inverse)
            Self.applyToModel(operation, graph: &graph)
        }
        return []
    }

    // MARK: Checking

    /// Problems of `operations` applied to `current`, operation-level ones first (labelled with the
    /// operation's position), then those of the resulting graph.
    func check(_ operations: [BatchOperation], against current: PipelineDocument) -> [BatchProblem] {
        var graph = current
        graph.name = nil
        graph.mode = .dynamic
        var problems: [BatchProblem] = []
        for (index, operation) in operations.enumerated() {
            let label = Self.label(index, operation)
            switch operation {
            case .addNode(let node, let kind, let params):
                if graph.node(node) != nil {
                    problems.append(BatchProblem(message: "\(label): a node named '\(node)' already exists in this session", nodeID: node))
                    continue
                }
                let denied = gate.problems(nodeID: node, kind: kind, params: params, caller: caller, operation: .add)
                problems += denied.map { BatchProblem(message: "\(label): \($0.message)", nodeID: node) }
            case .removeNode(let node):
                if graph.node(node) == nil {
                    problems.append(BatchProblem(message: "\(label): no node named '\(node)' in this session", nodeID: node))
                    continue
                }
            case .connect(let link):
                if graph.links.contains(where: { $0.id == link.id }) {
                    problems.append(BatchProblem(message: "\(label): link \(link.id) already exists", nodeID: link.to, connectionID: link.id.description))
                    continue
                }
            case .disconnect(let link):
                if !graph.links.contains(where: { $0.id == link }) {
                    problems.append(BatchProblem(message: "\(label): there is no link \(link)", nodeID: link.toNode, connectionID: link.description))
                    continue
                }
            }
            Self.applyToModel(operation, graph: &graph)
        }
        do throws(PipelineValidationError) {
            _ = try PipelineCompiler.compile(graph, registry: registry)
        } catch {
            problems += error.issues.map { issue in
                BatchProblem(message: issue.description, nodeID: issue.node, connectionID: nil)
            }
        }
        return problems
    }

    // MARK: Applying

    private func perform(_ operation: BatchOperation, on session: DynamicSession) async throws(SessionError) {
        switch operation {
        case .addNode(let node, let kind, let params): try await session.addNode(id: node, kind: kind, params: params)
        case .removeNode(let node): try await session.removeNode(id: node)
        case .connect(let link): try await session.connect(link)
        case .disconnect(let link): try await session.disconnect(link)
        }
    }

    /// Undoes applied operations, last first. Failures are reported (and logged), never hidden.
    private func rollback(_ undo: [[BatchOperation]], on session: DynamicSession) async -> [BatchProblem] {
        var failures: [BatchProblem] = []
        for steps in undo.reversed() {
            for step in steps {
                do throws(SessionError) {
                    try await perform(step, on: session)
                } catch {
                    logger.error("applybatch rollback step failed", metadata: ["session": "\(session.id)", "step": "\(step.name)", "error": "\(error.message)"])
                    failures.append(BatchProblem(message: "rollback of \(step.name) failed: \(error.message)", nodeID: error.node))
                }
            }
        }
        return failures
    }

    /// The operations that undo `operation`, given the graph just before it.
    static func inverse(of operation: BatchOperation, in graph: PipelineDocument) -> [BatchOperation] {
        switch operation {
        case .addNode(let node, _, _):
            return [.removeNode(node: node)]
        case .removeNode(let node):
            guard let spec = graph.node(node) else { return [] }
            let links = graph.links.filter { $0.from == node || $0.to == node }
            return [.addNode(node: node, kind: spec.kind, params: spec.params)] + links.map { .connect($0) }
        case .connect(let link):
            return [.disconnect(link.id)]
        case .disconnect(let link):
            guard let spec = graph.links.first(where: { $0.id == link }) else { return [] }
            return [.connect(spec)]
        }
    }

    /// Applies `operation` to a graph model (no checks: callers check first).
    static func applyToModel(_ operation: BatchOperation, graph: inout PipelineDocument) {
        switch operation {
        case .addNode(let node, let kind, let params):
            graph.nodes.append(.init(id: node, kind: kind, params: params))
        case .removeNode(let node):
            graph.nodes.removeAll { $0.id == node }
            graph.links.removeAll { $0.from == node || $0.to == node }
        case .connect(let link):
            graph.links.append(link)
        case .disconnect(let link):
            graph.links.removeAll { $0.id == link }
        }
    }

    static func label(_ index: Int, _ operation: BatchOperation) -> String {
        "operation \(index + 1) (\(operation.name))"
    }

    static func connectionID(of operation: BatchOperation) -> String? {
        switch operation {
        case .connect(let link): link.id.description
        case .disconnect(let link): link.description
        case .addNode, .removeNode: nil
        }
    }
}
