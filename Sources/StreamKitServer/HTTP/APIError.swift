import Hummingbird
import StreamKitCore
import StreamKitEngine

/// An error answered as JSON: `{"error": {"code": "...", "message": "...", "issues": [...]}}`.
public struct APIError: HTTPResponseError, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// A stable identifier for clients (`invalid_pipeline`, `forbidden`, `not_found`, …).
    public var code: String
    public var message: String
    /// Every problem when there were several (pipeline validation, authorization).
    public var issues: [JSONValue]
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, _ message: String, issues: [JSONValue] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.issues = issues
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    public var json: JSONValue {
        var body: JSONObject = ["code": .string(code), "message": .string(message)]
        if !issues.isEmpty { body["issues"] = .array(issues) }
        return ["error": .object(body)]
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(json, status: status)
        for field in headers { response.headers.append(field) }
        return response
    }

    static func badRequest(_ message: String, code: String = "bad_request") -> APIError { APIError(.badRequest, code: code, message) }
    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, code: "forbidden", message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "not_found", message) }
    static func conflict(_ message: String) -> APIError { APIError(.conflict, code: "conflict", message) }
    static func tooLarge(_ message: String) -> APIError { APIError(.contentTooLarge, code: "too_large", message) }

    /// A pipeline document that could not be read or built: 400 with every problem listed.
    static func invalidPipeline(_ error: PipelineValidationError, status: HTTPResponse.Status = .badRequest) -> APIError {
        APIError(status, code: "invalid_pipeline", error.description, issues: error.issues.map(\.json))
    }

    /// A session operation the engine refused, with the matching status.
    static func session(_ error: SessionError) -> APIError {
        switch error.code {
        case .notFound: APIError(.notFound, code: "not_found", error.message, issues: error.issues.map(\.json))
        case .conflict: APIError(.conflict, code: "conflict", error.message)
        case .invalid: APIError(.unprocessableContent, code: "invalid_pipeline", error.message, issues: error.issues.map(\.json))
        case .stopped: APIError(.gone, code: "stopped", error.message)
        case .timeout: APIError(.gatewayTimeout, code: "timeout", error.message)
        }
    }
}

/// JSON bodies from `JSONValue` (which keeps key order).
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: value.jsonString()))
        )
    }
}
