import Hummingbird
import StreamKitCore
import StreamKitEngine

/// `POST /api/v1/pipelines/parse`: reads a pipeline document (the request body, YAML or JSON) with
/// the engine's own parser and answers the graph it describes, checked against the node registry,
/// so the web UI never reads pipeline YAML itself. (The original has no such endpoint; its UI parses
/// YAML in the browser.)
///
/// The reply is the `Pipeline` JSON that `GET /api/v1/sessions/{id}/pipeline` answers (`name`,
/// `description`, `mode`, `nodes` by id with `kind` and `params`, `connections` with `from_node`,
/// `from_pin`, `to_node`, `to_pin` and a `mode` when not reliable), plus
/// - `validated`: whether the graph was checked against the node registry (kinds, params, pins,
///   types, cycles), as `skit validate` and a session's creation check it;
/// - `issues`: every problem found (`code`, `message`, `node`, `pin`, `line` where known);
/// - `warnings`: what will run but is probably not meant (unknown params, unconnected inputs).
///
/// A document that cannot be read at all (bad YAML, neither `steps` nor `nodes`, …) is answered 400
/// with the parser's problems, each naming its line, as `POST /api/v1/sessions` answers it. The body
/// is limited like a session's creation request (413 beyond), and ``YAMLSizeGuard`` bounds what the
/// document may expand to.
///
/// Authorization, in two steps. Reading the document needs no permission beyond a role (a refused
/// role is answered 403 by ``SecurityMiddleware``): it only turns the caller's own text into a graph,
/// which is what the browser did by itself before, and it reads and starts nothing. Checking it
/// against the registry builds its nodes, which runs node code (a script node reads its
/// `script_path`), so it is done only for a role that may create sessions, and only once the
/// document passes the same ``PipelineAuthorizer`` checks as a session or a oneshot run; otherwise
/// the reply says why as issues and `validated` is false.
enum PipelineParseRoute {
    /// As much pipeline text as a session's creation request may carry.
    static let maxDocumentBytes = 2 * 1024 * 1024

    static func install(on router: some RouterMethods<BasicRequestContext>, state: ServerState) {
        router.post("api/v1/pipelines/parse") { request, _ in
            var request = request
            let text = try await documentText(&request, limit: min(maxDocumentBytes, state.configuration.server.maxBodySize))
            let document: PipelineDocument
            do throws(PipelineValidationError) {
                document = try PipelineParser.parse(text)
            } catch {
                throw APIError.invalidPipeline(error)
            }
            let check = validate(document, role: state.role(for: request.headers), state: state)
            var reply = document.json.objectValue ?? JSONObject()
            reply["validated"] = .bool(check.validated)
            reply["issues"] = .array(check.issues.map(\.json))
            reply["warnings"] = .array(check.warnings.map(\.json))
            return JSONResponse.make(.object(reply))
        }
    }

    /// The request body as text, refusing anything over `limit` bytes with 413.
    static func documentText(_ request: inout Request, limit: Int) async throws -> String {
        do {
            return String(buffer: try await request.collectBody(upTo: limit))
        } catch {
            throw APIError.tooLarge("request body is larger than \(limit) bytes")
        }
    }

    /// What checking a document against the registry found.
    struct Check {
        var validated: Bool
        var issues: [PipelineIssue]
        var warnings: [PipelineIssue] = []
    }

    /// Checks `document` for `role`: authorization first, then the engine's compiler, whose nodes
    /// are built and dropped without ever starting.
    static func validate(_ document: PipelineDocument, role: ResolvedRole, state: ServerState) -> Check {
        guard role.permissions.createSessions else {
            return Check(validated: false, issues: [PipelineIssue(
                code: "forbidden",
                message: "Permission denied: cannot create sessions, so the pipeline was not checked against the node registry"
            )])
        }
        let context: PipelineAuthorizer.Context = document.mode == .dynamic
            ? .dynamic
            : .oneshot(hasMedia: document.nodes.contains { $0.kind == OneshotRunner.inputKind })
        let problems = state.authorize(document, role: role, context: context)
        guard problems.isEmpty else {
            return Check(validated: false, issues: problems.map { problem in
                PipelineIssue(code: problem.category == .forbidden ? "forbidden" : "refused", message: problem.message, node: problem.nodeID)
            })
        }
        do {
            let plan = try PipelineCompiler.compile(document, registry: state.registry)
            return Check(validated: true, issues: [], warnings: plan.warnings)
        } catch {
            return Check(validated: true, issues: error.issues)
        }
    }
}
