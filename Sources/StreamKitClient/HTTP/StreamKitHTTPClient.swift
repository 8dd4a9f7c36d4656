import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StreamKitCore

/// A typed client for a StreamKit server's HTTP API: health, permissions, node kinds, dynamic
/// sessions, oneshot processing and plugins.
///
/// Every failure is a ``StreamKitClientError``; server errors carry the server's own message.
///
/// ```swift
/// let client = try StreamKitHTTPClient(server: ServerAddress("http://127.0.0.1:4545"), role: "admin")
/// let created = try await client.createSession(yaml: text, name: "demo")
/// let pipeline = try await client.pipeline(of: created.id)
/// ```
public struct StreamKitHTTPClient: Sendable {
    /// The server every request goes to.
    public let server: ServerAddress
    /// Headers added to every request (the role header, when a role was given).
    public let headers: HTTPHeaders
    /// Time allowed for ordinary JSON calls.
    public var requestTimeout: TimeAmount = .seconds(30)
    /// Time allowed for a whole oneshot run or upload, body included.
    public var transferTimeout: TimeAmount = .hours(24)
    /// Largest error or JSON body read into memory.
    public var maxJSONBytes = 16 * 1024 * 1024
    let http: HTTPClient

    /// Creates a client for `server`. When `role` is set, each request carries it in `roleHeader`
    /// (the server's `permissions.role_header`, `x-role` by default).
    public init(server: ServerAddress, role: String? = nil, roleHeader: String = "x-role", httpClient: HTTPClient = .shared) {
        self.server = server
        var headers = HTTPHeaders()
        if let role, !role.isEmpty { headers.add(name: roleHeader, value: role) }
        self.headers = headers
        self.http = httpClient
    }

    // MARK: Info

    /// `GET /healthz`: `{"status":"ok","version":…}`.
    public func health() async throws(StreamKitClientError) -> JSONValue {
        try await json(.GET, "/healthz")
    }

    /// `GET /api/v1/permissions`: the caller's resolved role and flags.
    public func permissions() async throws(StreamKitClientError) -> RemotePermissions {
        let body = try await json(.GET, "/api/v1/permissions")
        guard let role = body["role"]?.stringValue, let flags = body["permissions"]?.objectValue else {
            throw .unexpectedResponse("permissions without `role` and `permissions`: \(body.jsonString())")
        }
        return RemotePermissions(role: role, flags: flags.map { ($0.key, $0.value.boolValue ?? false) })
    }

    /// `GET /api/v1/schema/nodes`: every node kind the caller may use.
    public func nodes() async throws(StreamKitClientError) -> [RemoteNodeKind] {
        try await list("/api/v1/schema/nodes", of: "node definitions", RemoteNodeKind.init(json:))
    }

    // MARK: Sessions

    /// `POST /api/v1/sessions`: starts a dynamic session from pipeline YAML.
    public func createSession(yaml: String, name: String? = nil) async throws(StreamKitClientError) -> RemoteSession {
        var body: JSONObject = ["yaml": .string(yaml)]
        if let name { body["name"] = .string(name) }
        let answer = try await json(.POST, "/api/v1/sessions", body: .object(body))
        return try RemoteSession(json: answer)
    }

    /// `GET /api/v1/sessions`: the sessions the caller may see.
    public func listSessions() async throws(StreamKitClientError) -> [RemoteSession] {
        try await list("/api/v1/sessions", of: "sessions", RemoteSession.init(json:))
    }

    /// `GET /api/v1/sessions/{id}/pipeline`: nodes with live states and stats, and connections.
    public func pipeline(of session: String) async throws(StreamKitClientError) -> RemotePipeline {
        try RemotePipeline(json: try await json(.GET, "/api/v1/sessions/\(ServerAddress.pathSegment(session))/pipeline"))
    }

    /// `DELETE /api/v1/sessions/{id}`: stops a session; returns its id.
    @discardableResult
    public func destroySession(_ session: String) async throws(StreamKitClientError) -> String {
        let body = try await json(.DELETE, "/api/v1/sessions/\(ServerAddress.pathSegment(session))")
        return body["session_id"]?.stringValue ?? session
    }

    // MARK: Oneshot

    /// What a finished oneshot run returned.
    public struct ProcessResult: Sendable {
        /// The response's `Content-Type`.
        public var contentType: String?
        /// Bytes of output received.
        public var bytes: Int64
        /// From sending the request to the last byte of the answer.
        public var duration: Duration
        /// From sending the request to the response head.
        public var timeToFirstByte: Duration
    }

    /// `POST /api/v1/process`: runs `pipelineYAML` as a oneshot over `input` (sent as the `media` part,
    /// streamed from its source) and streams the answer into `output` as it arrives. With no input,
    /// only the `config` part is sent (pipelines that read files).
    public func process(
        pipelineYAML: String, input: UploadSource?, inputContentType: String? = nil, output: DownloadTarget
    ) async throws(StreamKitClientError) -> ProcessResult {
        var fields = [MultipartField(name: "config", source: .bytes(Array(pipelineYAML.utf8)))]
        if let input {
            fields.append(MultipartField(
                name: "media", fileName: input.fileName,
                contentType: inputContentType ?? Self.contentType(forFileName: input.fileName), source: input
            ))
        }
        let body = MultipartBody(fields: fields)
        // Open the output before sending anything, so a bad path fails without running the pipeline.
        let writer = try output.openWriter()
        defer { writer.close() }
        let started = ContinuousClock.now
        let response = try await send(
            .POST, "/api/v1/process", contentType: body.contentType,
            body: .stream(body, length: try Self.length(of: body)), timeout: transferTimeout
        )
        let head = ContinuousClock.now
        try await checkStatus(response)
        do {
            for try await chunk in response.body { try writer.write(chunk) }
        } catch let error as StreamKitClientError {
            throw error
        } catch {
            throw .transport("the response ended early after \(writer.bytesWritten) bytes (the pipeline may have failed on the server; see its log): \(Self.describe(error))")
        }
        // A run that failed after the output started ends its body with a `skit-error` trailer.
        if let failure = response.body.trailers?.first(name: "skit-error") {
            throw StreamKitClientError.failedMidResponse(status: Int(response.status.code), trailer: failure, bytesReceived: writer.bytesWritten)
        }
        return ProcessResult(
            contentType: response.headers.first(name: "content-type"), bytes: writer.bytesWritten,
            duration: ContinuousClock.now - started, timeToFirstByte: head - started
        )
    }

    /// A guess of a media type from a file extension (`.wav` → `audio/wav`), nil when unknown.
    public static func contentType(forFileName name: String) -> String? {
        switch (name as NSString).pathExtension.lowercased() {
        case "wav": "audio/wav"
        case "ogg", "opus": "audio/ogg"
        case "flac": "audio/flac"
        case "mp3": "audio/mpeg"
        case "txt": "text/plain"
        case "json": "application/json"
        case "webm": "audio/webm"
        default: nil
        }
    }

    // MARK: Plugins

    /// `GET /api/v1/plugins`: loaded plugins.
    public func listPlugins() async throws(StreamKitClientError) -> [RemotePlugin] {
        try await list("/api/v1/plugins", of: "plugins", RemotePlugin.init(json:))
    }

    /// `POST /api/v1/plugins`: uploads a plugin file (multipart field `plugin`, streamed from disk).
    public func uploadPlugin(path: String) async throws(StreamKitClientError) -> RemotePlugin {
        let source = UploadSource.file(path: path)
        let body = MultipartBody(fields: [
            MultipartField(name: "plugin", fileName: source.fileName, contentType: "application/octet-stream", source: source)
        ])
        let response = try await send(
            .POST, "/api/v1/plugins", contentType: body.contentType,
            body: .stream(body, length: try Self.length(of: body)), timeout: transferTimeout
        )
        return try RemotePlugin(json: try await readJSON(response))
    }

    /// `DELETE /api/v1/plugins/{kind}?keep_file=…`: unloads a plugin, deleting its file unless `keepFile`.
    public func deletePlugin(kind: String, keepFile: Bool = false) async throws(StreamKitClientError) -> RemotePlugin {
        let path = "/api/v1/plugins/\(ServerAddress.pathSegment(kind))?keep_file=\(keepFile)"
        return try RemotePlugin(json: try await json(.DELETE, path))
    }

    // MARK: Plumbing

    /// Sends a request with an optional JSON body and decodes the JSON answer.
    public func json(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil) async throws(StreamKitClientError) -> JSONValue {
        let response = try await send(
            method, path, contentType: body == nil ? nil : "application/json",
            body: body.map { .bytes(ByteBuffer(string: $0.jsonString())) }, timeout: requestTimeout
        )
        return try await readJSON(response)
    }

    /// `GET path` for a JSON array, each item read by `read`; `what` names the items in the error.
    private func list<Item>(
        _ path: String, of what: String, _ read: (JSONValue) throws(StreamKitClientError) -> Item
    ) async throws(StreamKitClientError) -> [Item] {
        let body = try await json(.GET, path)
        guard let items = body.arrayValue else { throw .unexpectedResponse("expected an array of \(what)") }
        var result: [Item] = []
        for item in items { result.append(try read(item)) }
        return result
    }

    /// Sends one request; non-2xx answers are returned as they are (see ``checkStatus(_:)``).
    func send(_ method: HTTPMethod, _ path: String, contentType: String?, body: HTTPClientRequest.Body?, timeout: TimeAmount) async throws(StreamKitClientError) -> HTTPClientResponse {
        var request = HTTPClientRequest(url: server.url(path))
        request.method = method
        request.headers = headers
        if let contentType { request.headers.replaceOrAdd(name: "Content-Type", value: contentType) }
        request.body = body
        do {
            return try await http.execute(request, timeout: timeout)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw .timeout("\(method.rawValue) \(path) (\(error))")
        } catch {
            throw .transport("\(method.rawValue) \(server.url(path)): \(Self.describe(error))")
        }
    }

    /// Throws the server's error when the status is not 2xx.
    func checkStatus(_ response: HTTPClientResponse) async throws(StreamKitClientError) {
        guard !(200..<300).contains(response.status.code) else { return }
        let body = (try? await response.body.collect(upTo: maxJSONBytes)).map { Array($0.readableBytesView) } ?? []
        throw StreamKitClientError.parse(status: Int(response.status.code), body: body)
    }

    /// Checks the status and parses the body as JSON (an empty body is `null`).
    func readJSON(_ response: HTTPClientResponse) async throws(StreamKitClientError) -> JSONValue {
        try await checkStatus(response)
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: maxJSONBytes)
        } catch {
            throw .transport("reading the response failed: \(Self.describe(error))")
        }
        guard buffer.readableBytes > 0 else { return .null }
        do {
            return try OrderedJSON.parse(String(buffer: buffer))
        } catch {
            throw .unexpectedResponse("the server's answer is not JSON: \(String(String(buffer: buffer).prefix(200)))")
        }
    }

    /// `Content-Length` when the body's size is known up front, else chunked.
    static func length(of body: MultipartBody) throws(StreamKitClientError) -> HTTPClientRequest.Body.Length {
        guard let size = try body.knownLength() else { return .unknown }
        return .known(size)
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        return String(describing: error)
    }
}
