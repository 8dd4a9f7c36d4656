import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import StreamKitCore
import StreamKitNodes
@testable import StreamKitServer
import Synchronization

/// A real StreamKit server on a loopback port, for tests.
final class TestServer: Sendable {
    let state: ServerState
    let port: Int
    private let task: Task<Void, any Error>

    private init(state: ServerState, port: Int, task: Task<Void, any Error>) {
        self.state = state
        self.port = port
        self.task = task
    }

    /// Starts a server with the default configuration changed by `configure`.
    static func start(
        environment: [String: String] = [:], registry: NodeRegistry = BuiltinNodes.makeRegistry(),
        _ configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> TestServer {
        var configuration = ServerConfiguration()
        // Each server gets its own plugin directory unless the test picks one.
        configuration.plugins.directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("skit-test-plugins-\(UUID().uuidString)").path
        configure(&configuration)
        var logger = Logger(label: "test-server")
        logger.logLevel = .warning
        let state = ServerState(configuration: configuration, registry: registry, environment: environment, logger: logger)
        await state.loadPlugins()
        let portBox = PortBox()
        let application = StreamKitServer.makeApplication(state: state, host: "127.0.0.1", port: 0) { port in
            portBox.set(port)
        }
        let task = Task { try await application.run() }
        let port = try await portBox.wait()
        return TestServer(state: state, port: port, task: task)
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func stop() async {
        await state.sessions.destroyAll()
        task.cancel()
        _ = await task.result
    }

    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        /// The trailer fields that ended a chunked body (a oneshot's `skit-error`), if any.
        var trailers: HTTPHeaders? = nil
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: JSONValue? { try? JSONValue.parse(text) }
        /// `error.code` of a JSON error body.
        var errorCode: String? { json?["error"]?["code"]?.stringValue }
        var errorMessage: String? { json?["error"]?["message"]?.stringValue }
    }

    /// Sends a request and reads the whole response.
    func request(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil, timeout: TimeAmount = .seconds(30)) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        var bytes: [UInt8] = []
        for try await chunk in response.body { bytes += Array(chunk.readableBytesView) }
        return Reply(status: Int(response.status.code), headers: response.headers, body: bytes, trailers: response.body.trailers)
    }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> Reply {
        try await request(.GET, path, headers: headers)
    }

    func postJSON(_ path: String, _ json: JSONValue, headers: [(String, String)] = []) async throws -> Reply {
        try await request(.POST, path, headers: [("Content-Type", "application/json")] + headers, body: Array(json.jsonString().utf8))
    }

    /// `POST /api/v1/process` with `config` and an optional `media` part.
    func process(yaml: String, media: [UInt8]? = nil, mediaType: String = "application/octet-stream", headers: [(String, String)] = [], timeout: TimeAmount = .seconds(30)) async throws -> Reply {
        let multipart = Multipart.body(parts: [("config", nil, Array(yaml.utf8))] + (media.map { [("media", mediaType, $0)] } ?? []))
        return try await request(.POST, "/api/v1/process", headers: [("Content-Type", multipart.contentType)] + headers, body: multipart.bytes, timeout: timeout)
    }
}

/// Builds multipart/form-data bodies.
enum Multipart {
    static let boundary = "streamkit-test-boundary-7d1f"

    static func body(parts: [(name: String, contentType: String?, bytes: [UInt8])]) -> (contentType: String, bytes: [UInt8]) {
        var out: [UInt8] = []
        for part in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if part.name == "media" { head += "; filename=\"media.bin\"" }
            head += "\r\n"
            if let type = part.contentType { head += "Content-Type: \(type)\r\n" }
            head += "\r\n"
            out += Array(head.utf8) + part.bytes + Array("\r\n".utf8)
        }
        out += Array("--\(boundary)--\r\n".utf8)
        return ("multipart/form-data; boundary=\(boundary)", out)
    }
}

/// The port the server bound, handed from its start-up callback to the test.
final class PortBox: Sendable {
    private let port = Mutex<Int?>(nil)
    func set(_ value: Int) { port.withLock { $0 = value } }
    func wait() async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let value = port.withLock({ $0 }) { return value }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw CancellationError()
    }
}
