import HTTPTypes
import Hummingbird

/// Browser protections: security headers on every response, CORS from the origin allowlist, and
/// refusal of state-changing API calls from pages of other origins — also under `base_path`,
/// which the original forgets. None of this is authentication; but it resolves the caller's role,
/// once per request, into ``APIRequestContext/caller``, and a caller whose role header names no
/// defined role (or comes twice) is refused here with 403, before any route runs.
struct SecurityMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let state: ServerState
    let basePath: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let origin = request.headers[.origin]
        let allowedOrigin = origin.map { state.allowsOrigin($0) } ?? false
        if request.method == .options, let origin, request.headers[.accessControlRequestMethod] != nil {
            guard allowedOrigin else {
                throw APIError.forbidden("Origin not allowed (configure [server.cors].allowed_origins)")
            }
            var response = Response(status: .noContent)
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlAllowMethods] = "GET, POST, PUT, DELETE, OPTIONS, PATCH"
            response.headers[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders] ?? "*"
            response.headers[.vary] = "Origin"
            return Self.secure(response)
        }
        if let origin, !allowedOrigin, Self.isStateChanging(request.method), Self.isAPIPath(request.uri.path, basePath: basePath) {
            throw APIError.forbidden("Origin '\(origin)' not allowed (configure [server.cors].allowed_origins)")
        }
        let role = state.role(for: request.headers)
        if let refusal = role.refusal {
            throw ServiceError.permissionDenied(refusal)
        }
        context.caller = Caller(role)
        var response = try await next(request, context)
        if let origin, allowedOrigin {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlExposeHeaders] = "*"
            response.headers[.vary] = "Origin"
        }
        return Self.secure(response)
    }

    static func secure(_ response: Response) -> Response {
        var response = response
        if response.headers[.xFrameOptions] == nil { response.headers[.xFrameOptions] = "SAMEORIGIN" }
        if response.headers[.referrerPolicy] == nil { response.headers[.referrerPolicy] = "no-referrer" }
        if response.headers[.xContentTypeOptions] == nil { response.headers[.xContentTypeOptions] = "nosniff" }
        return response
    }

    static func isStateChanging(_ method: HTTPRequest.Method) -> Bool {
        [.post, .put, .patch, .delete].contains(method)
    }

    static func isAPIPath(_ path: String, basePath: String?) -> Bool {
        if path.hasPrefix("/api/") { return true }
        if let basePath, path.hasPrefix(basePath + "/api/") { return true }
        return false
    }
}

extension HTTPField.Name {
    // Names HTTPTypes does not predefine; constant literals that are valid field names, so the unwrap cannot fail.
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
