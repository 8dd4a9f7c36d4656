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
    static func install(
        on router: some RouterMethods<APIRequestContext>, plugins: PluginService, limits: UploadLimits, maxUploadSize: Int, metrics: ServerMetrics
    ) {
        router.get("api/v1/plugins") { _, context in
            JSONResponse.make(.array(plugins.list(caller: context.caller).map { .object($0.json) }))
        }
        router.post("api/v1/plugins") { request, context in
            try await upload(request, caller: context.caller, plugins: plugins, limits: limits, maxUploadSize: maxUploadSize, metrics: metrics)
        }
        router.delete("api/v1/plugins/:kind") { request, context in
            try await delete(request, kind: context.parameters.get("kind") ?? "", caller: context.caller, plugins: plugins, metrics: metrics)
        }
    }

    // MARK: Upload

    static func upload(
        _ request: Request, caller: Caller, plugins: PluginService, limits: UploadLimits, maxUploadSize limit: Int, metrics: ServerMetrics
    ) async throws -> Response {
        // Refused before the body is read.
        try plugins.authorize(.loadPlugin, caller)
        guard let boundary = MultipartStream.boundary(of: request.headers[.contentType]) else {
            throw APIError.badRequest("expected a multipart/form-data body with a file in the field 'plugin'", code: "invalid_multipart")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit + multipartSlack {
            throw APIError.tooLarge(tooLargeMessage(limit))
        }
        let stream = MultipartStream(
            body: request.body, boundary: boundary, maxBytes: limit + multipartSlack, maxParts: limits.multipartMaxFields
        )
        let staged = try await receive(stream, plugins: plugins, limit: limit)
        let installation = try await plugins.install(staged, caller: caller)
        let summary = installation.summary
        metrics.recordPluginOperation(installation.replaced == nil ? "load" : "replace", type: summary.type.rawValue)
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

    /// Streams the `plugin` field into a staging file. Other fields are ignored; a second
    /// `plugin` field, a field without a file name, or none at all is a 400.
    static func receive(_ stream: MultipartStream, plugins: PluginService, limit: Int) async throws -> StagedPlugin {
        var staged: StagedPlugin?
        var writer: StagingFile?
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
                    let path = try plugins.stagingPath(forUploadNamed: filename)
                    writer = try await StagingFile.create(
                        at: path, label: "streamkit.plugins.upload",
                        failure: .storage(code: "storage_error", message: "cannot create the staging file for the upload")
                    )
                    staged = StagedPlugin(path: path, fileName: filename, sha256: "", size: 0)
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
        await writer.close()
        staged.sha256 = digest.hex()
        return staged
    }

    // MARK: Delete

    static func delete(_ request: Request, kind rawKind: String, caller: Caller, plugins: PluginService, metrics: ServerMetrics) async throws -> Response {
        try plugins.authorize(.deletePlugin, caller)
        let kind = rawKind.removingPercentEncoding ?? rawKind
        let keepFile: Bool
        switch request.uri.queryParameters.get("keep_file")?.lowercased() {
        case nil, "false", "0": keepFile = false
        case "true", "1": keepFile = true
        case let other?: throw APIError.badRequest("keep_file must be true or false, got '\(other)'")
        }
        let summary = try await plugins.unload(kind, keepFile: keepFile, caller: caller)
        metrics.recordPluginOperation("unload", type: summary.type.rawValue)
        var body = summary.json
        body["file_kept"] = .bool(keepFile)
        return JSONResponse.make(.object(body))
    }
}
