import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import StreamKitCore
import Synchronization

/// A WebSocket connection to the control plane (`/api/v1/control`).
///
/// Requests carry a fresh correlation id; ``request(_:timeout:)`` waits for the response with that
/// id (responses may arrive interleaved with events and out of order with other requests).
/// Events are delivered to every stream made by ``events(bufferSize:)``.
///
/// ```swift
/// let control = try await ControlConnection.connect(to: server)
/// let events = control.events()
/// let reply = try await control.tuneNode(session: id, node: "gain", params: ["gain": 1.5])
/// await control.close()
/// ```
public final class ControlConnection: Sendable {
    /// Connection settings.
    public struct Options: Sendable {
        /// How long a request may wait for its response.
        public var requestTimeout: Duration
        /// How long connecting (TCP + upgrade) may take.
        public var connectTimeout: Duration
        /// Largest inbound message accepted.
        public var maxMessageBytes: Int

        public init(requestTimeout: Duration = .seconds(30), connectTimeout: Duration = .seconds(10), maxMessageBytes: Int = 16 * 1024 * 1024) {
            self.requestTimeout = requestTimeout
            self.connectTimeout = connectTimeout
            self.maxMessageBytes = maxMessageBytes
        }
    }

    private typealias Reply = Result<JSONValue, StreamKitClientError>

    private struct Pending {
        var continuation: CheckedContinuation<Reply, Never>
        var timer: Task<Void, Never>?
    }

    private struct State {
        var writer: WebSocketOutboundWriter?
        var ready: CheckedContinuation<Result<Void, StreamKitClientError>, Never>?
        var pending: [String: Pending] = [:]
        var subscribers: [Int: AsyncStream<ControlEvent>.Continuation] = [:]
        var nextSubscriber = 0
        /// Set once the connection has ended (why), after which nothing new is accepted.
        var ended: StreamKitClientError?
        var run: Task<Void, Never>?
        /// Responses that carried no correlation id (the server could not read a request).
        var uncorrelatedErrors: [String] = []
    }

    /// The control URL this connection talks to.
    public let url: String
    private let options: Options
    private let state = Mutex(State())

    private init(url: String, options: Options) {
        self.url = url
        self.options = options
    }

    /// Connects to `server`'s control plane. When `role` is set it is sent in `roleHeader` with the
    /// upgrade request (the role is fixed for the connection's lifetime).
    public static func connect(
        to server: ServerAddress, role: String? = nil, roleHeader: String = "x-role",
        options: Options = Options(), logger: Logger? = nil
    ) async throws(StreamKitClientError) -> ControlConnection {
        let connection = ControlConnection(url: server.controlURL, options: options)
        var configuration = WebSocketClientConfiguration(maxFrameSize: options.maxMessageBytes)
        if let role, !role.isEmpty, let name = HTTPField.Name(roleHeader) {
            configuration.additionalHeaders[name] = role
        }
        var quiet = Logger(label: "streamkit.control-client")
        quiet.logLevel = .error
        let clientLogger = logger ?? quiet
        let url = connection.url
        let settings = configuration
        let maxMessageBytes = options.maxMessageBytes
        let result: Result<Void, StreamKitClientError> = await withCheckedContinuation { ready in
            connection.state.withLock { $0.ready = ready }
            let run = Task {
                do {
                    try await WebSocketClient.connect(url: url, configuration: settings, logger: clientLogger) { inbound, outbound, _ in
                        connection.attach(outbound)
                        for try await message in inbound.messages(maxSize: maxMessageBytes) {
                            guard case .text(let text) = message else { continue }
                            connection.receive(text)
                        }
                    }
                    connection.end(.connectionClosed)
                } catch {
                    connection.end(.transport("WebSocket \(url): \(error)"))
                }
            }
            connection.state.withLock { $0.run = run }
            // Give up when connecting takes too long.
            Task {
                try? await Task.sleep(for: options.connectTimeout)
                connection.end(.timeout("connecting to \(url) took longer than \(options.connectTimeout)"), onlyWhileConnecting: true)
            }
        }
        try result.get()
        return connection
    }

    // MARK: Requests

    /// Sends a request payload (`{"action": …, …}`) and waits for its response payload. A response
    /// `{"action":"error","message":…}` is thrown as ``StreamKitClientError/control(message:)``.
    public func request(_ payload: JSONValue, timeout: Duration? = nil) async throws(StreamKitClientError) -> JSONValue {
        let id = UUID().uuidString.lowercased()
        let envelope = JSONValue.object(["type": "request", "correlation_id": .string(id), "payload": payload]).jsonString()
        let limit = timeout ?? options.requestTimeout
        let action = payload["action"]?.stringValue ?? "request"
        let reply: Reply = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let outcome: Result<WebSocketOutboundWriter, StreamKitClientError> = state.withLock { state in
                    if let ended = state.ended { return .failure(ended) }
                    guard let writer = state.writer else { return .failure(.connectionClosed) }
                    state.pending[id] = Pending(continuation: continuation, timer: nil)
                    return .success(writer)
                }
                switch outcome {
                case .failure(let error):
                    continuation.resume(returning: .failure(error))
                case .success(let writer):
                    let timer = Task {
                        try? await Task.sleep(for: limit)
                        guard !Task.isCancelled else { return }
                        self.resolve(id, with: .failure(.timeout("no response to '\(action)' within \(limit)")))
                    }
                    state.withLock { state in state.pending[id]?.timer = timer }
                    Task {
                        do {
                            try await writer.writeTextMessage(envelope)
                        } catch {
                            self.resolve(id, with: .failure(.transport("sending '\(action)' failed: \(error)")))
                        }
                    }
                }
            }
        } onCancel: {
            self.resolve(id, with: .failure(.transport("'\(action)' was cancelled")))
        }
        return try reply.get()
    }

    /// Sends a request that is never answered (`tunenodeasync`), without a correlation id.
    public func send(_ payload: JSONValue) async throws(StreamKitClientError) {
        let writer: WebSocketOutboundWriter? = state.withLock { $0.ended == nil ? $0.writer : nil }
        guard let writer else { throw .connectionClosed }
        do {
            try await writer.writeTextMessage(JSONValue.object(["type": "request", "payload": payload]).jsonString())
        } catch {
            throw .transport("sending failed: \(error)")
        }
    }

    // MARK: Convenience requests

    /// `tunenode` with `{"UpdateParams": params}`; returns the response payload (`{"action":"success"}`).
    @discardableResult
    public func tuneNode(session: String, node: String, params: JSONValue) async throws(StreamKitClientError) -> JSONValue {
        try await request([
            "action": "tunenode", "session_id": .string(session), "node_id": .string(node),
            "message": ["UpdateParams": params],
        ])
    }

    /// `tunenodeasync`: the same change, not answered.
    public func tuneNodeAsync(session: String, node: String, params: JSONValue) async throws(StreamKitClientError) {
        try await send([
            "action": "tunenodeasync", "session_id": .string(session), "node_id": .string(node),
            "message": ["UpdateParams": params],
        ])
    }

    /// `listsessions`.
    public func listSessions() async throws(StreamKitClientError) -> [RemoteSession] {
        let reply = try await request(["action": "listsessions"])
        var sessions: [RemoteSession] = []
        for item in reply["sessions"]?.arrayValue ?? [] { sessions.append(try RemoteSession(json: item)) }
        return sessions
    }

    /// `destroysession`.
    public func destroySession(_ session: String) async throws(StreamKitClientError) {
        _ = try await request(["action": "destroysession", "session_id": .string(session)])
    }

    // MARK: Events

    /// A stream of every event received from now on. It ends when the connection ends or the
    /// consumer stops iterating. When the consumer falls more than `bufferSize` events behind, the
    /// oldest are dropped.
    public func events(bufferSize: Int = 4096) -> AsyncStream<ControlEvent> {
        let (stream, continuation) = AsyncStream<ControlEvent>.makeStream(bufferingPolicy: .bufferingNewest(max(1, bufferSize)))
        let key: Int? = state.withLock { state in
            guard state.ended == nil else { return nil }
            let key = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[key] = continuation
            return key
        }
        guard let key else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: key) }
        }
        return stream
    }

    /// Error messages the server sent without a correlation id (requests it could not read).
    public var uncorrelatedErrors: [String] { state.withLock { $0.uncorrelatedErrors } }

    /// Whether the connection is still open.
    public var isOpen: Bool { state.withLock { $0.ended == nil && $0.writer != nil } }

    // MARK: Closing

    /// Closes the connection (Close frame, then waits briefly for the server's). Pending requests
    /// fail with ``StreamKitClientError/connectionClosed``; event streams end.
    public func close() async {
        let (writer, run) = state.withLock { ($0.ended == nil ? $0.writer : nil, $0.run) }
        // End locally first, so event consumers and waiting requests stop at once.
        end(.connectionClosed)
        if let writer {
            try? await writer.close(.normalClosure, reason: nil)
        }
        // The read loop ends when the server answers the Close; do not wait long for that.
        let watchdog = Task {
            try? await Task.sleep(for: .seconds(2))
            guard !Task.isCancelled else { return }
            run?.cancel()
        }
        _ = await run?.value
        watchdog.cancel()
    }

    // MARK: Internals

    private func attach(_ writer: WebSocketOutboundWriter) {
        let ready = state.withLock { state -> CheckedContinuation<Result<Void, StreamKitClientError>, Never>? in
            state.writer = writer
            defer { state.ready = nil }
            return state.ready
        }
        ready?.resume(returning: .success(()))
    }

    private func receive(_ text: String) {
        guard let message = try? OrderedJSON.parse(text), let payload = message["payload"] else { return }
        switch message["type"]?.stringValue {
        case "response":
            let reply: Reply = payload["action"]?.stringValue == "error"
                ? .failure(.control(message: payload["message"]?.stringValue ?? payload.jsonString()))
                : .success(payload)
            if let id = message["correlation_id"]?.stringValue {
                resolve(id, with: reply)
            } else if case .failure(let error) = reply {
                state.withLock { state in
                    state.uncorrelatedErrors.append(error.message)
                    if state.uncorrelatedErrors.count > 100 { state.uncorrelatedErrors.removeFirst() }
                }
            }
        case "event":
            let event = ControlEvent(payload: payload, rawText: text)
            let subscribers = state.withLock { Array($0.subscribers.values) }
            for subscriber in subscribers { subscriber.yield(event) }
        default:
            break
        }
    }

    private func resolve(_ id: String, with reply: Reply) {
        guard let pending = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
        pending.timer?.cancel()
        pending.continuation.resume(returning: reply)
    }

    /// Marks the connection as ended (first reason wins): fails the connect wait and every pending
    /// request, and finishes the event streams. With `onlyWhileConnecting`, does nothing once the
    /// connection is up (the connect timeout), and otherwise also cancels the connecting task.
    private func end(_ reason: StreamKitClientError, onlyWhileConnecting: Bool = false) {
        struct Ending {
            var ready: CheckedContinuation<Result<Void, StreamKitClientError>, Never>?
            var pending: [Pending] = []
            var subscribers: [AsyncStream<ControlEvent>.Continuation] = []
            var run: Task<Void, Never>?
        }
        let ending: Ending? = state.withLock { state in
            if onlyWhileConnecting && state.ready == nil { return nil }
            var ending = Ending(ready: state.ready, run: state.run)
            state.ready = nil
            if state.ended == nil { state.ended = reason }
            ending.pending = Array(state.pending.values)
            state.pending.removeAll()
            ending.subscribers = Array(state.subscribers.values)
            state.subscribers.removeAll()
            state.writer = nil
            return ending
        }
        guard let ending else { return }
        ending.ready?.resume(returning: .failure(reason))
        for request in ending.pending {
            request.timer?.cancel()
            request.continuation.resume(returning: .failure(reason))
        }
        for subscriber in ending.subscribers { subscriber.finish() }
        if onlyWhileConnecting { ending.run?.cancel() }
    }
}
