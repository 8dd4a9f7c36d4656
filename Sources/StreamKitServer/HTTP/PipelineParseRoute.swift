import Hummingbird
import StreamKitCore

/// `POST /api/v1/pipelines/parse`: reads a pipeline document (the request body, YAML or JSON) with
/// the engine's own parser and answers the graph it describes, checked against the node registry
/// (``PipelineService``), so the web UI never reads pipeline YAML itself. (The original has no such
/// endpoint; its UI parses YAML in the browser.)
///
/// The reply is the `Pipeline` JSON that `GET /api/v1/sessions/{id}/pipeline` answers (`name`,
/// `description`, `mode`, `nodes` by id with `kind` and `params`, `connections` with `from_node`,
/// `from_pin`, `to_node`, `to_pin` and a `mode` when not reliable), plus `validated`, `issues`
/// (`code`, `message`, `node`, `pin`, `line` where known) and `warnings`.
///
/// A document that cannot be read at all (bad YAML, neither `steps` nor `nodes`, …) is answered 400
/// with the parser's problems, each naming its line, as `POST /api/v1/sessions` answers it. The body
/// is limited like a session's creation request (413 beyond), and ``YAMLSizeGuard`` bounds what the
/// document may expand to. A refused role is answered 403 by ``SecurityMiddleware``.
enum PipelineParseRoute {
    /// As much pipeline text as a session's creation request may carry.
    static let maxDocumentBytes = 2 * 1024 * 1024

    static func install(on router: some RouterMethods<APIRequestContext>, pipelines: PipelineService, maxBodySize: Int) {
        router.post("api/v1/pipelines/parse") { request, context in
            var request = request
            let limit = min(maxDocumentBytes, maxBodySize)
            let text: String
            do {
                text = String(buffer: try await request.collectBody(upTo: limit))
            } catch {
                throw APIError.tooLarge("request body is larger than \(limit) bytes")
            }
            return JSONResponse.make(try pipelines.read(text, caller: context.caller).json)
        }
    }
}
