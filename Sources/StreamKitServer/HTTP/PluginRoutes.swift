import Foundation
import HTTPTypes
import Hummingbird
import StreamKitCore
import StreamKitPlugins
import StreamKitScheduling

/// `GET /api/v1/plugins`, `POST /api/v1/plugins` (multipart field `plugin`) and
/// `DELETE /api/v1/plugins/{kind}?keep_file=`.
///
/// Uploads stream to a staging file (hashed as they arrive) and are handed to the plugin manager,
/// which loads, checks and only then moves them into place. Uploading a kind that is loaded
/// replaces it (hot reload); the answer and a `pluginreplaced` WebSocket event say which version
/// replaced which.
enum PluginRoutes {
    static func install(on router: some RouterMethods<BasicRequestContext>, state: ServerState, metrics: ServerMetrics) {
        router.get("api/v1/plugins") { request, _ in
            let allowlist = state.role(for: request.headers).permissions.pluginAllowlist
            let visible = state.plugins.plugins.filter { allowlist.allows($0.kind) }
            return JSONResponse.make(.array(visible.map { .object($0.json) }))
        }
        router.post("api/v1/plugins") { request, _ in
            try await upload(request, state: state, metrics: metrics)
        }
        router.delete("api/v1/plugins/:kind") { request, context in
            try await delete(request, kind: context.parameters.get("kind") ?? "", state: state, metrics: metrics)
        }
    }

    static let managementDisabledMessage =
        "Plugin management over HTTP is disabled. Set allow_http_management = true in the [plugins] section of skit.toml (or SK_PLUGINS__ALLOW_HTTP_MANAGEMENT=true) to enable uploads and deletes."

    // MARK: Upload

    static func upload(_ request: Request, state: ServerState, metrics: ServerMetrics) async throws -> Response {
        guard state.configuration.plugins.allowHTTPManagement else { throw APIError.forbidden(managementDisabledMessage) }
        let role = state.role(for: request.headers)
        guard role.permissions.loadPlugins else { throw APIError.forbidden("Permission denied: your role may not load plugins (permissions: load_plugins)") }
        guard let boundary = MultipartStream.boundary(of: request.headers[.contentType]) else {
            throw APIError.badRequest("expected a multipart/form-data body with a file in the field 'plugin'", code: "invalid_multipart")
        }
        let limit = state.configuration.plugins.maxUploadSize
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit + multipartSlack {
            throw APIError.tooLarge(tooLargeMessage(limit))
        }
        let stream = MultipartStream(
            body: request.body, boundary: boundary, maxBytes: limit + multipartSlack,
            maxParts: state.configuration.server.multipartMaxFields
        )
        let staged = try await receive(stream, state: state, limit: limit)
        let allowlist = role.permissions.pluginAllowlist
        let installation: PluginManager.Installation
        do {
            installation = try await state.plugins.install(
                stagedPath: staged.path, fileName: staged.fileName, sha256: staged.sha256, size: staged.size,
                isAllowed: { allowlist.allows($0) }
            )
        } catch {
            throw apiError(error)
        }
        let summary = installation.summary
        metrics.recordPluginOperation(installation.replaced == nil ? "load" : "replace", type: summary.type.rawValue)
        state.sessions.events.publish(.plugin(PluginEvent(
            action: installation.replaced == nil ? .loaded : .replaced, plugin: summary, previous: installation.replaced
        )))
        var body = summary.json
        if let previous = installation.replaced {
            body["replaced"] = .object(previous.json)
            body["message"] = .string("replaced \(previous.kind) version \(previous.version) (sha256 \(previous.sha256.prefix(12))) with version \(summary.version) (sha256 \(summary.sha256.prefix(12))); running nodes keep the old version until their session ends")
        }
        return JSONResponse.make(.object(body), status: .created)
    }

    /// Room for multipart headers and small extra fields on top of the file itself.
    static let multipartSlack = 64 * 1024

    static func tooLargeMessage(_ limit: Int) -> String {
        "plugin upload is larger than plugins.max_upload_size (\(limit) bytes)"
    }

    struct StagedUpload {
        var path: String
        var fileName: String
        var sha256: String
        var size: Int
    }

    /// Streams the `plugin` field into a staging file. Other fields are ignored; a second
    /// `plugin` field, a field without a file name, or none at all is a 400.
    static func receive(_ stream: MultipartStream, state: ServerState, limit: Int) async throws -> StagedUpload {
        var staged: StagedUpload?
        var writer: StagingWriter?
        var digest = PluginDigest()
        var inPlugin = false
        do {
            while let event = try await ProcessRoute.nextEvent(stream) {
                switch event {
                case .partStarted(let name, let filename, _):
                    guard name == "plugin" else { continue }
                    guard staged == nil else { throw APIError.badRequest("more than one 'plugin' field; upload one plugin per request", code: "invalid_multipart") }
                    guard let filename, !filename.isEmpty else {
                        throw APIError.badRequest("the 'plugin' field has no file name; send it as a file (curl -F plugin=@libgain.so)", code: "invalid_multipart")
                    }
                    do {
                        _ = try PluginFileName.validate(filename)
                        let path = try state.plugins.makeStagingPath()
                        writer = try await StagingWriter.create(path: path)
                        staged = StagedUpload(path: path, fileName: filename, sha256: "", size: 0)
                    } catch let error as PluginManagerError {
                        throw apiError(error)
                    }
                    inPlugin = true
                case .body(let bytes):
                    guard inPlugin, let currentWriter = writer, var current = staged else { continue }
                    current.size += bytes.count
                    guard current.size <= limit else { throw APIError.tooLarge(tooLargeMessage(limit)) }
                    digest.update(bytes)
                    try await currentWriter.write(bytes)
                    staged = current
                case .partEnded:
                    inPlugin = false
                }
            }
        } catch {
            if let writer { await writer.discard() }
            throw error
        }
        guard var staged, let writer else {
            throw APIError.badRequest("Missing 'plugin' file field", code: "invalid_multipart")
        }
        try await writer.close()
        staged.sha256 = digest.hex()
        return staged
    }

    // MARK: Delete

    static func delete(_ request: Request, kind rawKind: String, state: ServerState, metrics: ServerMetrics) async throws -> Response {
        guard state.configuration.plugins.allowHTTPManagement else { throw APIError.forbidden(managementDisabledMessage) }
        let role = state.role(for: request.headers)
        guard role.permissions.deletePlugins else { throw APIError.forbidden("Permission denied: your role may not delete plugins (permissions: delete_plugins)") }
        let kind = rawKind.removingPercentEncoding ?? rawKind
        let keepFile: Bool
        switch request.uri.queryParameters.get("keep_file")?.lowercased() {
        case nil, "false", "0": keepFile = false
        case "true", "1": keepFile = true
        case let other?: throw APIError.badRequest("keep_file must be true or false, got '\(other)'")
        }
        let summary: PluginSummary
        do {
            summary = try await state.plugins.unload(kind: kind, keepFile: keepFile)
        } catch {
            throw apiError(error)
        }
        metrics.recordPluginOperation("unload", type: summary.type.rawValue)
        state.sessions.events.publish(.plugin(PluginEvent(action: .unloaded, plugin: summary, previous: nil)))
        var body = summary.json
        body["file_kept"] = .bool(keepFile)
        return JSONResponse.make(.object(body))
    }

    static func apiError(_ error: PluginManagerError) -> APIError {
        let status = HTTPResponse.Status(code: error.status)
        let code: String
        switch error {
        case .invalidFileName: code = "invalid_file_name"
        case .loadFailed: code = "invalid_plugin"
        case .unsupportedType: code = "unsupported_plugin_type"
        case .conflict: code = "conflict"
        case .forbidden: code = "forbidden"
        case .notLoaded: code = "not_found"
        case .storage: code = "storage_error"
        }
        return APIError(status, code: code, error.description)
    }
}

/// Writes an upload to its staging file off the cooperative pool.
final class StagingWriter: Sendable {
    private let handle: FileHandle
    private let path: String
    private let queue: BlockingQueue

    private init(handle: FileHandle, path: String, queue: BlockingQueue) {
        self.handle = handle
        self.path = path
        self.queue = queue
    }

    static func create(path: String) async throws -> StagingWriter {
        let queue = BlockingQueue(label: "streamkit.plugins.upload")
        let handle = try await queue.run { () throws -> FileHandle in
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                throw APIError(.internalServerError, code: "storage_error", "cannot create the staging file for the upload")
            }
            return handle
        }
        return StagingWriter(handle: handle, path: path, queue: queue)
    }

    func write(_ bytes: [UInt8]) async throws {
        try await queue.run { [handle] in try handle.write(contentsOf: bytes) }
    }

    func close() async throws {
        try await queue.run { [handle] in try handle.close() }
    }

    /// Closes and deletes the staging file (a failed or refused upload leaves nothing behind).
    func discard() async {
        try? await queue.run { [handle, path] in
            try? handle.close()
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
