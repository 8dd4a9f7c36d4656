import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWSClient
import HummingbirdWebSocket
import Logging
import NIOCore
import StreamKitCore
@testable import StreamKitServer
import Synchronization

/// A real server on a loopback port that serves only the control plane (plus its HTTP fallback).
final class ControlTestServer: Sendable {
    let state: ServerState
    let port: Int
    private let task: Task<Void, any Error>

    private init(state: ServerState, port: Int, task: Task<Void, any Error>) {
        self.state = state
        self.port = port
        self.task = task
    }

    static func start(
        options: ControlPlane.Options? = nil,
        _ configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> ControlTestServer {
        var configuration = ServerConfiguration()
        configure(&configuration)
        var logger = Logger(label: "ws-test-server")
        logger.logLevel = .warning
        let state = ServerState(configuration: configuration, environment: [:], logger: logger)
        let basePath = configuration.server.basePath

        let router = Router()
        ControlPlane.installUpgradeFallback(on: router, state: state)
        if let basePath {
            ControlPlane.installUpgradeFallback(on: router.group(RouterPath(basePath)), state: state)
        }
        let webSocketRouter = Router(context: SocketRequestContext.self)
        let resolved = options ?? ControlPlane.Options(maxMessageBytes: configuration.server.websocketMaxMessageBytes)
        ControlPlane.install(on: webSocketRouter, state: state, basePath: basePath, options: resolved)

        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router,
            server: .http1WebSocketUpgrade(
                webSocketRouter: webSocketRouter,
                configuration: HTTP1WebSocketUpgradeChannel.Configuration(ws: ControlPlane.webSocketConfiguration(maxMessageBytes: resolved.maxMessageBytes))
            ),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        let task = Task { try await application.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw ControlTestError("the server did not start")
        }
        return ControlTestServer(state: state, port: port, task: task)
    }

    func url(_ prefix: String = "") -> String { "ws://127.0.0.1:\(port)\(prefix)/api/v1/control" }

    func stop() async {
        await state.sessions.destroyAll()
        task.cancel()
        _ = await task.result
    }
}

struct ControlTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A control-protocol client for tests: sends requests, collects everything it receives.
///
/// With `paused: true` it reads nothing from the socket until ``startReading()``, like a client
/// that has stopped reading.
final class ControlTestClient: Sendable {
    private let outgoing: AsyncStream<String>.Continuation
    private let received = Mutex<[JSONValue]>([])
    private let closed = Mutex(false)
    private let resume: AsyncStream<Void>.Continuation
    private let task: Task<Void, Never>
    private let counter = Atomic<Int>(0)
    private let failure: ErrorBox

    private init(outgoing: AsyncStream<String>.Continuation, resume: AsyncStream<Void>.Continuation, task: Task<Void, Never>, upgradeError: ErrorBox) {
        self.outgoing = outgoing
        self.resume = resume
        self.task = task
        self.failure = upgradeError
    }

    /// Why the connection failed (a refused upgrade), if it did.
    var upgradeError: (any Error)? { failure.value.withLock { $0 } }

    /// Connects and waits until the server has answered a first request (so the connection is live).
    static func connect(_ url: String, headers: HTTPFields = [:], paused: Bool = false) async throws -> ControlTestClient {
        let (outgoingStream, outgoing) = AsyncStream.makeStream(of: String.self)
        let (resumeStream, resume) = AsyncStream.makeStream(of: Void.self)
        let box = Mutex<ControlTestClient?>(nil)
        let upgradeError = ErrorBox()
        var configuration = WebSocketClientConfiguration()
        configuration.additionalHeaders = headers
        let logger = Logger(label: "ws-test-client")
        let task = Task {
            do {
                try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await text in outgoingStream {
                                try await outbound.write(.text(text))
                            }
                        }
                        if paused {
                            var wait = resumeStream.makeAsyncIterator()
                            _ = await wait.next()
                        }
                        for try await message in inbound.messages(maxSize: 1 << 26) {
                            guard case .text(let text) = message, let value = try? JSONValue.parse(text) else { continue }
                            let client = box.withLock { $0 }
                            client?.received.withLock { $0.append(value) }
                        }
                        group.cancelAll()
                    }
                }
            } catch {
                upgradeError.value.withLock { $0 = error }
            }
            box.withLock { $0 }?.closed.withLock { $0 = true }
        }
        let client = ControlTestClient(outgoing: outgoing, resume: resume, task: task, upgradeError: upgradeError)
        box.withLock { $0 = client }
        if !paused {
            _ = try await client.request(["action": "getpermissions"])
        }
        return client
    }

    /// Lets a paused client read.
    func startReading() { resume.yield() }

    func sendRaw(_ text: String) { outgoing.yield(text) }

    /// Sends a request envelope; returns its correlation id.
    @discardableResult
    func send(_ payload: JSONValue, correlationID: String? = nil) -> String {
        let id = correlationID ?? "c\(counter.wrappingAdd(1, ordering: .relaxed).newValue)"
        let envelope: JSONValue = ["type": "request", "correlation_id": .string(id), "payload": payload]
        sendRaw(envelope.jsonString())
        return id
    }

    /// Sends a request and waits for the response payload with its correlation id.
    func request(_ payload: JSONValue, timeout: Duration = .seconds(15)) async throws -> JSONValue {
        let id = send(payload)
        let envelope = try await waitFor(timeout: timeout) { $0["type"] == "response" && $0["correlation_id"]?.stringValue == id }
        return envelope["payload"] ?? .null
    }

    /// The first received envelope matching `predicate`, waiting for it.
    func waitFor(timeout: Duration = .seconds(15), _ predicate: @Sendable (JSONValue) -> Bool) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let match = received.withLock({ $0.first(where: predicate) }) { return match }
            if isClosed { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        if let match = received.withLock({ $0.first(where: predicate) }) { return match }
        throw ControlTestError("no matching message within \(timeout) (closed: \(isClosed), error: \(upgradeError.map { "\($0)" } ?? "none")); received \(received.withLock { $0.count }) messages")
    }

    /// The first event payload matching `predicate`.
    func event(timeout: Duration = .seconds(15), _ predicate: @Sendable @escaping (JSONValue) -> Bool) async throws -> JSONValue {
        let envelope = try await waitFor(timeout: timeout) { $0["type"] == "event" && predicate($0["payload"] ?? .null) }
        return envelope["payload"] ?? .null
    }

    /// Every event payload received so far.
    var events: [JSONValue] {
        received.withLock { $0.filter { $0["type"] == "event" }.compactMap { $0["payload"] } }
    }

    var messages: [JSONValue] { received.withLock { $0 } }

    var isClosed: Bool { closed.withLock { $0 } }

    /// Waits for the server to close the connection.
    func waitUntilClosed(timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if isClosed { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return isClosed
    }

    func close() async {
        outgoing.finish()
        resume.yield()
        task.cancel()
        _ = await task.value
    }
}

extension JSONValue {
    /// `self[key] == value` for a string value.
    func has(_ key: String, _ value: String) -> Bool { self[key]?.stringValue == value }
}

/// A place for an error set by another task.
final class ErrorBox: Sendable {
    let value = Mutex<(any Error)?>(nil)
}
