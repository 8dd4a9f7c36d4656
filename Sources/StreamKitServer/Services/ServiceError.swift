import StreamKitCore
import StreamKitEngine
import StreamKitPlugins

/// Why a service refused or failed an operation, free of any transport.
///
/// The HTTP layer turns it into a status and a JSON body (`APIError.init(_:)`), the WebSocket
/// control plane into an error reply (`ServiceError.controlReply`); one mapping each, so the same
/// refusal reads the same wherever it is answered.
public enum ServiceError: Error, Sendable {
    /// The caller's role lacks a permission; `what` completes "Permission denied: …".
    case permissionDenied(String)
    /// Refused for a reason other than a missing permission flag (an allowlist, a read-only file, a setting).
    case forbidden(String)
    /// The named thing does not exist (or the caller may not know that it does).
    case notFound(String)
    /// The thing already exists.
    case conflict(String)
    /// The request itself is wrong; `code` is the stable identifier clients see.
    case invalid(code: String, message: String, issues: [JSONValue] = [])
    /// A pipeline document that could not be read or built, with every problem.
    case invalidPipeline(PipelineValidationError)
    /// A pipeline (or node) the caller may not run, with every problem.
    case pipelineRefused([AuthorizationProblem])
    /// Over a size limit.
    case tooLarge(String)
    /// `permissions.max_concurrent_sessions` is reached.
    case sessionLimit(SessionLimitError)
    /// Every slot of a bounded resource is taken; worth retrying shortly.
    case busy(String)
    /// The engine refused a session operation.
    case session(SessionError)
    /// The plugin manager refused or failed.
    case plugin(PluginManagerError)
    /// The server could not read or write its own files; `code` is the stable identifier clients see.
    case storage(code: String, message: String)

    /// The problem as one line of text (a WebSocket reply, a log line).
    public var message: String {
        switch self {
        case .permissionDenied(let what): "Permission denied: \(what)"
        case .forbidden(let message), .notFound(let message), .conflict(let message), .tooLarge(let message), .busy(let message):
            message
        case .invalid(_, let message, _), .storage(_, let message): message
        case .invalidPipeline(let error): error.description
        case .pipelineRefused(let problems): problems.map(\.message).joined(separator: "; ")
        case .sessionLimit(let error): error.description
        case .session(let error): error.message
        case .plugin(let error): error.description
        }
    }
}

extension ServiceError: CustomStringConvertible {
    public var description: String { message }
}
