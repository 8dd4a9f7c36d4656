import HTTPTypes
import Hummingbird
import StreamKitCore
import StreamKitPlugins

extension APIError {
    /// The HTTP answer to a service error: the one mapping from domain errors to status, code and JSON body.
    init(_ error: ServiceError) {
        switch error {
        case .permissionDenied, .forbidden:
            self = .forbidden(error.message)
        case .notFound(let message):
            self = .notFound(message)
        case .conflict(let message):
            self = .conflict(message)
        case .invalid(let code, let message, let issues):
            self = APIError(.badRequest, code: code, message, issues: issues)
        case .invalidPipeline(let pipelineError):
            self = .invalidPipeline(pipelineError)
        case .pipelineRefused(let problems):
            self = .refused(problems)
        case .tooLarge(let message):
            self = .tooLarge(message)
        case .sessionLimit(let limit):
            self = APIError(.tooManyRequests, code: "limit_reached", limit.description)
        case .busy(let message):
            self = APIError(.serviceUnavailable, code: "busy", message, headers: [.retryAfter: "1"])
        case .session(let sessionError):
            self = .session(sessionError)
        case .plugin(let pluginError):
            self = .plugin(pluginError)
        case .storage(let code, let message):
            self = APIError(.internalServerError, code: code, message)
        }
    }

    /// Authorization problems as one answer listing them all: 403 when any is a permission problem, else 400.
    static func refused(_ problems: [AuthorizationProblem]) -> APIError {
        let forbidden = problems.contains { $0.category == .forbidden }
        let message = problems.count == 1 ? problems[0].message : "\(problems.count) problems: " + problems.map(\.message).joined(separator: "; ")
        return APIError(
            forbidden ? .forbidden : .badRequest, code: forbidden ? "forbidden" : "invalid_pipeline", message,
            issues: problems.map { problem in
                .object(["message": .string(problem.message), "node": .string(problem.nodeID), "kind": .string(problem.kind)])
            }
        )
    }

    /// A plugin operation the manager refused, with its status and a stable code.
    static func plugin(_ error: PluginManagerError) -> APIError {
        let code: String =
            switch error {
            case .invalidFileName: "invalid_file_name"
            case .loadFailed: "invalid_plugin"
            case .unsupportedType: "unsupported_plugin_type"
            case .conflict: "conflict"
            case .forbidden: "forbidden"
            case .notLoaded: "not_found"
            case .storage: "storage_error"
            }
        return APIError(HTTPResponse.Status(code: error.status), code: code, error.description)
    }
}

/// Routes throw service errors as they come; Hummingbird answers them through ``APIError``.
extension ServiceError: HTTPResponseError {
    public var status: HTTPResponse.Status { APIError(self).status }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try APIError(self).response(from: request, context: context)
    }
}
