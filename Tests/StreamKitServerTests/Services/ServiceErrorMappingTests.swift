import Testing
import StreamKitCore
import StreamKitEngine
import StreamKitPlugins
@testable import StreamKitServer

/// The two mappings of domain errors: to an HTTP status and JSON body, and to a WebSocket error
/// reply. The expected answers are the ones the routes and the control plane gave before the
/// service layer existed.
struct ServiceErrorMappingTests {
    /// One error, with the HTTP status, code and message it must be answered with, and the WebSocket message.
    struct Case: Sendable, CustomTestStringConvertible {
        var error: ServiceError
        var status: Int
        var code: String
        var message: String
        var socketMessage: String
        var testDescription: String { "\(code) \(status)" }
    }

    static let problem = AuthorizationProblem(nodeID: "reader", kind: "core::file_reader", category: .invalid, message: "node 'reader': path refused")
    static let forbiddenProblem = AuthorizationProblem(nodeID: "x", kind: "plugin::native::x", category: .forbidden, message: "node 'x': kind not allowed")

    static let cases: [Case] = [
        Case(error: .permissionDenied("cannot create sessions"), status: 403, code: "forbidden",
             message: "Permission denied: cannot create sessions", socketMessage: "Permission denied: cannot create sessions"),
        Case(error: .forbidden("Only user samples can be deleted"), status: 403, code: "forbidden",
             message: "Only user samples can be deleted", socketMessage: "Only user samples can be deleted"),
        Case(error: .notFound("Session 'x' not found"), status: 404, code: "not_found",
             message: "Session 'x' not found", socketMessage: "Session 'x' not found"),
        Case(error: .conflict("Sample already exists: user/x"), status: 409, code: "conflict",
             message: "Sample already exists: user/x", socketMessage: "Sample already exists: user/x"),
        Case(error: .invalid(code: "invalid_filename", message: "Invalid filename: file name is empty"), status: 400, code: "invalid_filename",
             message: "Invalid filename: file name is empty", socketMessage: "Invalid filename: file name is empty"),
        Case(error: .tooLarge("'yaml' is larger than 1048576 bytes"), status: 413, code: "too_large",
             message: "'yaml' is larger than 1048576 bytes", socketMessage: "'yaml' is larger than 1048576 bytes"),
        Case(error: .sessionLimit(SessionLimitError(limit: 2)), status: 429, code: "limit_reached",
             message: "Maximum concurrent sessions limit reached (2)", socketMessage: "Maximum concurrent sessions limit reached"),
        Case(error: .busy("too many oneshot requests in progress"), status: 503, code: "busy",
             message: "too many oneshot requests in progress", socketMessage: "too many oneshot requests in progress"),
        Case(error: .session(SessionError(.conflict, "node 'a' already exists")), status: 409, code: "conflict",
             message: "node 'a' already exists", socketMessage: "node 'a' already exists"),
        Case(error: .session(SessionError(.stopped, "session stopped")), status: 410, code: "stopped",
             message: "session stopped", socketMessage: "session stopped"),
        Case(error: .session(SessionError(.timeout, "no reply")), status: 504, code: "timeout",
             message: "no reply", socketMessage: "no reply"),
        Case(error: .session(SessionError(.invalid, "types differ")), status: 422, code: "invalid_pipeline",
             message: "types differ", socketMessage: "types differ"),
        Case(error: .plugin(.notLoaded("plugin::native::gain")), status: 404, code: "not_found",
             message: "Plugin 'plugin::native::gain' is not currently loaded", socketMessage: "Plugin 'plugin::native::gain' is not currently loaded"),
        Case(error: .plugin(.invalidFileName("no extension")), status: 400, code: "invalid_file_name",
             message: "invalid plugin file name: no extension", socketMessage: "invalid plugin file name: no extension"),
        Case(error: .plugin(.loadFailed(file: "x.so", reason: "bad ABI")), status: 422, code: "invalid_plugin",
             message: "bad ABI", socketMessage: "bad ABI"),
        Case(error: .storage(code: "io_error", message: "could not read sample 'user/x.yml'"), status: 500, code: "io_error",
             message: "could not read sample 'user/x.yml'", socketMessage: "could not read sample 'user/x.yml'"),
        Case(error: .pipelineRefused([problem]), status: 400, code: "invalid_pipeline",
             message: "node 'reader': path refused", socketMessage: "node 'reader': path refused"),
        Case(error: .pipelineRefused([problem, forbiddenProblem]), status: 403, code: "forbidden",
             message: "2 problems: node 'reader': path refused; node 'x': kind not allowed",
             socketMessage: "node 'reader': path refused; node 'x': kind not allowed"),
    ]

    @Test("a domain error becomes the same HTTP status, code and message as before", arguments: cases)
    func httpMapping(_ expected: Case) {
        let answer = APIError(expected.error)
        #expect(Int(answer.status.code) == expected.status)
        #expect(answer.code == expected.code)
        #expect(answer.message == expected.message)
        #expect(answer.json["error"]?["code"]?.stringValue == expected.code)
        #expect(answer.json["error"]?["message"]?.stringValue == expected.message)
        #expect(expected.error.status == answer.status, "Hummingbird answers the thrown error with the mapped status")
    }

    @Test("a domain error becomes the same WebSocket error reply as before", arguments: cases)
    func socketMapping(_ expected: Case) {
        #expect(expected.error.controlReply == ["action": "error", "message": .string(expected.socketMessage)])
    }

    @Test func permissionDeniedBodyIsTheOriginalJSON() {
        let body = APIError(.permissionDenied("cannot list sessions")).json
        #expect(body == ["error": ["code": "forbidden", "message": "Permission denied: cannot list sessions"]])
    }

    @Test func busyAsksToRetry() {
        let answer = APIError(.busy("retry shortly"))
        #expect(answer.headers[.retryAfter] == "1")
    }

    @Test func refusedPipelineListsEveryProblem() {
        let body = APIError(.pipelineRefused([Self.problem, Self.forbiddenProblem])).json
        #expect(body["error"]?["issues"] == [
            ["message": "node 'reader': path refused", "node": "reader", "kind": "core::file_reader"],
            ["message": "node 'x': kind not allowed", "node": "x", "kind": "plugin::native::x"],
        ])
    }

    @Test func invalidPipelineListsEveryIssue() {
        let error = PipelineValidationError(issues: [PipelineIssue(code: "unknown_kind", message: "no such kind", node: "a")])
        let answer = APIError(.invalidPipeline(error))
        #expect(answer.status == .badRequest)
        #expect(answer.code == "invalid_pipeline")
        #expect(answer.issues == error.issues.map(\.json))
        #expect(ServiceError.invalidPipeline(error).controlReply == ["action": "error", "message": .string(error.description)])
    }

    @Test func sessionNotFoundKeepsTheEngineIssues() {
        let issue = PipelineIssue(code: "unknown_node", message: "no node 'q'", node: "q")
        let answer = APIError(.session(SessionError(.notFound, "no node 'q'", issues: [issue])))
        #expect(answer.status == .notFound)
        #expect(answer.issues == [issue.json])
    }
}
