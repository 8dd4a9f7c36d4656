import Synchronization

/// A request to change a running node's parameters, delivered to the node through its inputs.
///
/// The node answers with `accept()` or `reject(_:)`; the answer travels back to whoever
/// asked (a WebSocket client, say). A request the node drops without answering is
/// rejected automatically when the last reference goes away, so callers never wait forever.
public final class ParamsUpdate: Sendable {
    /// The new parameters, already checked against the node kind's schema.
    public let params: JSONValue
    private let reply: Mutex<(@Sendable (Result<Void, StreamKitError>) -> Void)?>
    private let kind: String

    /// - Parameters:
    ///   - kind: the node kind, used in the automatic rejection message.
    ///   - reply: called exactly once with the node's answer.
    public init(params: JSONValue, kind: String, reply: @escaping @Sendable (Result<Void, StreamKitError>) -> Void) {
        self.params = params
        self.kind = kind
        self.reply = Mutex(reply)
    }

    /// The node applied the new parameters.
    public func accept() {
        take()?(.success(()))
    }

    /// The node refused the new parameters; `message` says why.
    public func reject(_ message: String) {
        take()?(.failure(.configuration(message)))
    }

    private func take() -> (@Sendable (Result<Void, StreamKitError>) -> Void)? {
        reply.withLock { callback in
            defer { callback = nil }
            return callback
        }
    }

    deinit {
        take()?(.failure(.configuration("node kind '\(kind)' does not support live parameter updates")))
    }
}
