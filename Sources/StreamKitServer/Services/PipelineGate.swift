import Logging
import StreamKitCore
import StreamKitEngine

/// The one place a caller's pipelines and nodes are authorized: ``PipelineAuthorizer``'s checks
/// against the server's file path policy, with each refusal whose message hides details (file
/// paths) logged with them. Sessions, batches and oneshot runs all go through it.
struct PipelineGate: Sendable {
    let paths: FilePathPolicy
    let logger: Logger

    /// Every problem that keeps `caller` from running `document` (kinds, plugins, file paths).
    func problems(_ document: PipelineDocument, caller: Caller, context: PipelineAuthorizer.Context) -> [AuthorizationProblem] {
        logDetails(PipelineAuthorizer.check(document, permissions: caller.permissions, paths: paths, context: context), caller: caller)
    }

    /// Every problem that keeps `caller` from adding (or retuning) one node of a dynamic session.
    func problems(
        nodeID: String, kind: String, params: JSONValue?, caller: Caller, operation: PipelineAuthorizer.NodeOperation
    ) -> [AuthorizationProblem] {
        logDetails(PipelineAuthorizer.check(
            nodeID: nodeID, kind: kind, params: params, permissions: caller.permissions, paths: paths,
            context: .dynamic, operation: operation
        ), caller: caller)
    }

    /// Throws ``ServiceError/pipelineRefused(_:)`` with every problem of `document`.
    func require(_ document: PipelineDocument, caller: Caller, context: PipelineAuthorizer.Context) throws(ServiceError) {
        let found = problems(document, caller: caller, context: context)
        guard found.isEmpty else { throw .pipelineRefused(found) }
    }

    /// Throws ``ServiceError/pipelineRefused(_:)`` with every problem of one node.
    func require(
        nodeID: String, kind: String, params: JSONValue?, caller: Caller, operation: PipelineAuthorizer.NodeOperation
    ) throws(ServiceError) {
        let found = problems(nodeID: nodeID, kind: kind, params: params, caller: caller, operation: operation)
        guard found.isEmpty else { throw .pipelineRefused(found) }
    }

    /// Logs the full reason of each problem whose message leaves it out, and returns the problems.
    private func logDetails(_ problems: [AuthorizationProblem], caller: Caller) -> [AuthorizationProblem] {
        for problem in problems {
            guard let detail = problem.detail, detail != problem.message else { continue }
            logger.notice("file path refused", metadata: ["role": "\(caller.name)", "node": "\(problem.nodeID)", "reason": "\(detail)"])
        }
        return problems
    }
}
