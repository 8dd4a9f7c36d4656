import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A real HTTP server on a loopback port (Hummingbird), for fetch and fetcher tests.
/// It records every request it gets (method, path, headers, body).
final class LocalHTTPServer: Sendable {
    struct Received: Sendable {
        var method: String
        var path: String
        var headers: [(String, String)]
        var body: String
    }

    let port: Int
    private let log: RequestLog
    private let task: Task<Void, any Error>

    private init(port: Int, log: RequestLog, task: Task<Void, any Error>) {
        self.port = port
        self.log = log
        self.task = task
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    var requests: [Received] { log.received.withLock { $0 } }

    /// Starts the server; `routes` adds the test's routes to a router whose requests are all recorded.
    static func start(_ routes: (Router<BasicRequestContext>) -> Void) async throws -> LocalHTTPServer {
        let log = RequestLog()
        let router = Router()
        router.middlewares.add(log)
        routes(router)
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "local-http-server")
        logger.logLevel = .critical
        let application = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        let task = Task { try await application.runService() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw TestFailure("the local HTTP server did not start")
        }
        return LocalHTTPServer(port: port, log: log, task: task)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

/// Records requests (with their bodies) before the route sees them.
final class RequestLog: RouterMiddleware, Sendable {
    typealias Context = BasicRequestContext
    let received = Mutex<[LocalHTTPServer.Received]>([])

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        let entry = LocalHTTPServer.Received(
            method: request.method.rawValue, path: request.uri.path,
            headers: request.headers.map { ($0.name.canonicalName, $0.value) },
            body: String(buffer: body)
        )
        received.withLock { $0.append(entry) }
        return try await next(request, context)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
