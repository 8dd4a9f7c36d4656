import Foundation
import Hummingbird
import StreamKitCore
import StreamKitScheduling

/// Audio assets: list (system and user files), upload a user file, delete a user file.
enum AssetRoutes {
    static func install(on router: some RouterMethods<APIRequestContext>, assets: AssetService, limits: UploadLimits) {
        router.get("api/v1/assets/audio") { _, context in
            // No permission flag, as in the original: the allowlist decides what is visible.
            JSONResponse.make(.array(try await assets.list(caller: context.caller).map(\.json)))
        }

        router.post("api/v1/assets/audio") { request, context in
            // Refused before the body is read.
            try context.caller.authorize(.uploadAsset)
            let asset = try await upload(request, assets: assets, caller: context.caller, limits: limits)
            return JSONResponse.make(asset.json, status: .created)
        }

        router.delete("api/v1/assets/audio/:id") { _, context in
            try context.caller.authorize(.deleteAsset)
            let raw = context.parameters.get("id") ?? ""
            guard let id = raw.removingPercentEncoding else {
                throw APIError.badRequest("Invalid percent-encoding in asset id '\(raw)'", code: "invalid_filename")
            }
            try await assets.delete(id, caller: context.caller)
            return Response(status: .noContent)
        }
    }

    /// Streams the first multipart field (whatever its name) into a temporary file next to its
    /// destination, then moves it into place. Bodies over `server.max_body_size` are refused with
    /// 413 and leave nothing behind.
    static func upload(_ request: Request, assets: AssetService, caller: Caller, limits: UploadLimits) async throws -> AudioAsset {
        let limit = limits.maxBodySize
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw tooLarge(limit)
        }
        guard let boundary = MultipartStream.boundary(of: request.headers[.contentType]) else {
            throw APIError.badRequest("expected a multipart/form-data body with a boundary and one file field", code: "invalid_multipart")
        }
        let stream = MultipartStream(body: request.body, boundary: boundary, maxBytes: limit, maxParts: limits.multipartMaxFields)
        guard case .partStarted(_, let filename, _) = try await nextEvent(stream, limit: limit) else {
            throw APIError.badRequest("No file provided", code: "no_file")
        }
        guard let filename, !filename.isEmpty else {
            throw APIError.badRequest("No filename provided", code: "no_filename")
        }
        let file = try await assets.beginUpload(fileName: filename, caller: caller)
        do {
            var written = 0
            var complete = false
            reading: while let event = try await nextEvent(stream, limit: limit) {
                switch event {
                case .body(let chunk):
                    written += chunk.count
                    guard written <= limit else { throw tooLarge(limit) }
                    try await file.write(chunk)
                case .partEnded:
                    complete = true
                    break reading
                case .partStarted:
                    throw APIError.badRequest("malformed multipart body", code: "invalid_multipart")
                }
            }
            guard complete else {
                throw APIError.badRequest("the multipart body ended inside the file field", code: "invalid_multipart")
            }
            // Further fields are ignored, but read (within the limits) so the client can finish sending.
            while try await nextEvent(stream, limit: limit) != nil {}
        } catch {
            await assets.discard(file)
            throw error
        }
        return try await assets.commit(file)
    }

    static func tooLarge(_ limit: Int) -> APIError {
        APIError.tooLarge("File too large. Maximum size: \(limit) bytes")
    }

    static func nextEvent(_ stream: MultipartStream, limit: Int) async throws -> MultipartStream.Event? {
        do {
            return try await stream.next()
        } catch let failure as MultipartStream.Failure {
            switch failure {
            case .tooLarge: throw tooLarge(limit)
            case .tooManyParts(let parts): throw APIError(.contentTooLarge, code: "too_many_fields", "more than \(parts) multipart fields (server.multipart_max_fields)")
            case .malformed(let reason): throw APIError.badRequest("malformed multipart body: \(reason)", code: "invalid_multipart")
            }
        }
    }
}
