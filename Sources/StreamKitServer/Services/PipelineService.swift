import StreamKitCore
import StreamKitEngine

/// Pipeline documents read and checked for a caller without running anything: what
/// `POST /api/v1/pipelines/parse` answers, so the web UI never reads pipeline YAML itself.
///
/// Reading needs no permission beyond a role: it only turns the caller's own text into a graph.
/// Checking against the node registry builds the document's nodes, which runs node code (a script
/// node reads its `script_path`), so it is done only for a caller that may create sessions, and
/// only once the document passes the same ``PipelineGate`` checks as a session or a oneshot run.
struct PipelineService: Sendable {
    let registry: NodeRegistry
    let gate: PipelineGate

    /// What reading and checking a document found.
    struct Reading: Sendable {
        /// The document as the engine's parser read it.
        var document: PipelineDocument
        /// Whether the graph was checked against the node registry (kinds, params, pins, types, cycles).
        var validated: Bool
        /// Every problem found: refusals when it was not checked, the compiler's issues when it was.
        var issues: [PipelineIssue]
        /// What will run but is probably not meant (unknown params, unconnected inputs).
        var warnings: [PipelineIssue] = []

        /// The reply: the `Pipeline` JSON a session's pipeline is answered with, plus the check.
        var json: JSONValue {
            var reply = document.json.objectValue ?? JSONObject()
            reply["validated"] = .bool(validated)
            reply["issues"] = .array(issues.map(\.json))
            reply["warnings"] = .array(warnings.map(\.json))
            return .object(reply)
        }
    }

    /// Reads `text` (YAML or JSON) and checks it as far as `caller` may have it checked.
    /// Throws ``ServiceError/invalidPipeline(_:)`` when the text is not a pipeline document at all.
    func read(_ text: String, caller: Caller) throws(ServiceError) -> Reading {
        let document: PipelineDocument
        do throws(PipelineValidationError) {
            document = try PipelineParser.parse(text)
        } catch {
            throw .invalidPipeline(error)
        }
        return check(document, caller: caller)
    }

    private func check(_ document: PipelineDocument, caller: Caller) -> Reading {
        guard (try? caller.authorize(.createSession)) != nil else {
            return Reading(document: document, validated: false, issues: [PipelineIssue(
                code: "forbidden",
                message: "Permission denied: cannot create sessions, so the pipeline was not checked against the node registry"
            )])
        }
        let context: PipelineAuthorizer.Context = document.mode == .dynamic
            ? .dynamic
            : .oneshot(hasMedia: document.nodes.contains { $0.kind == OneshotRunner.inputKind })
        let refusals = gate.problems(document, caller: caller, context: context)
        guard refusals.isEmpty else {
            return Reading(document: document, validated: false, issues: refusals.map { problem in
                PipelineIssue(code: problem.category == .forbidden ? "forbidden" : "refused", message: problem.message, node: problem.nodeID)
            })
        }
        do {
            let plan = try PipelineCompiler.compile(document, registry: registry)
            return Reading(document: document, validated: true, issues: [], warnings: plan.warnings)
        } catch {
            return Reading(document: document, validated: true, issues: error.issues)
        }
    }
}
