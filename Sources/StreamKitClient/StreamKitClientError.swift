import Foundation
import StreamKitCore

/// Why a client call failed. The description is what the command line shows: for server errors,
/// the server's own message (and each listed issue).
public enum StreamKitClientError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The server answered with a non-success status. `code` and `issues` come from a JSON error
    /// body (`{"error":{"code","message","issues"}}`); plain-text bodies become the message.
    case server(status: Int, code: String?, message: String, issues: [String])
    /// A control request was answered with `{"action":"error","message":…}`.
    case control(message: String)
    /// The server could not be reached, or the connection broke.
    case transport(String)
    /// The server's answer was not what the protocol promises.
    case unexpectedResponse(String)
    /// No answer within the allowed time.
    case timeout(String)
    /// A bad argument or configuration (file missing, malformed value…).
    case invalidArgument(String)
    /// The control connection is closed.
    case connectionClosed

    public var description: String {
        switch self {
        case .server(let status, let code, let message, let issues):
            var text = "server error \(status)"
            if let code { text += " (\(code))" }
            text += ": \(message)"
            // Only list issues that add something beyond the message itself.
            let extra = issues.filter { !message.contains($0) }
            if !extra.isEmpty { text += extra.map { "\n  - \($0)" }.joined() }
            return text
        case .control(let message): return "server refused the request: \(message)"
        case .transport(let message): return "connection problem: \(message)"
        case .unexpectedResponse(let message): return "unexpected response: \(message)"
        case .timeout(let message): return "timed out: \(message)"
        case .invalidArgument(let message): return message
        case .connectionClosed: return "the control connection is closed"
        }
    }

    /// The server's message for server and control errors, else the description.
    public var message: String {
        switch self {
        case .server(_, _, let message, _), .control(let message): message
        default: description
        }
    }

    /// A short, stable category for counting errors (load tests): `http_400_invalid_pipeline`,
    /// `control_error`, `transport`, `timeout`, ….
    public var kind: String {
        switch self {
        case .server(let status, let code, _, _): code.map { "http_\(status)_\($0)" } ?? "http_\(status)"
        case .control: "control_error"
        case .transport: "transport"
        case .unexpectedResponse: "unexpected_response"
        case .timeout: "timeout"
        case .invalidArgument: "invalid_argument"
        case .connectionClosed: "connection_closed"
        }
    }

    /// Builds the error for a failed HTTP response from its status and body: the JSON error body
    /// `{"error":{"code","message","issues"}}`, or the plain-text body as the message.
    public static func parse(status: Int, body: [UInt8]) -> StreamKitClientError {
        let text = String(decoding: body, as: UTF8.self)
        if let json = try? OrderedJSON.parse(text), let error = json["error"] {
            if let message = error["message"]?.stringValue {
                let issues = (error["issues"]?.arrayValue ?? []).compactMap { issue -> String? in
                    if let text = issue.stringValue { return text }
                    return issue["message"]?.stringValue ?? issue.jsonString()
                }
                return .server(status: status, code: error["code"]?.stringValue, message: message, issues: issues)
            }
            if let message = error.stringValue {
                return .server(status: status, code: nil, message: message, issues: [])
            }
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return .server(status: status, code: nil, message: trimmed.isEmpty ? "(no message)" : trimmed, issues: [])
    }
}

extension StreamKitClientError {
    /// The error of a oneshot run that failed after its response started: the `skit-error` trailer's
    /// JSON (`{"error":{"code","message"}}`) as a server error, noting how much output had arrived.
    static func failedMidResponse(status: Int, trailer: String, bytesReceived: Int64) -> StreamKitClientError {
        let parsed = parse(status: status, body: Array(trailer.utf8))
        guard case .server(let status, let code, let message, let issues) = parsed else { return parsed }
        return .server(status: status, code: code, message: "the run failed after \(bytesReceived) bytes of output: \(message)", issues: issues)
    }
}
