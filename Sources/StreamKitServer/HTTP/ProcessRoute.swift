import Foundation
import HTTPTypes
import Hummingbird
import Logging
import StreamKitCore
import StreamKitEngine
import Synchronization

/// `POST /api/v1/process`: a oneshot run over HTTP. The multipart body carries the pipeline
/// (`config`, first) and optionally the input (`media`), which is streamed into the pipeline as it
/// arrives; the output is streamed back as it is produced, never buffered whole.
enum ProcessRoute {
    static let maxConfigBytes = 1024 * 1024

    static func install(on router: some RouterMethods<APIRequestContext>, oneshots: OneshotService, limits: UploadLimits) {
        router.post("api/v1/process") { request, context in
            try await handle(request, caller: context.caller, oneshots: oneshots, limits: limits, logger: context.logger)
        }
    }

    static func handle(_ request: Request, caller: Caller, oneshots: OneshotService, limits: UploadLimits, logger: Logger) async throws -> Response {
        try caller.authorize(.runOneshot)
        guard let boundary = MultipartStream.boundary(of: request.headers[.contentType]) else {
            throw APIError.badRequest("expected a multipart/form-data body with a boundary (fields: 'config' first, then optional 'media')", code: "invalid_multipart")
        }
        // Refuse a declared body over the limit before reading a byte of it (and before Hummingbird
        // would answer `Expect: 100-continue`).
        let limit = limits.maxBodySize
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw APIError.tooLarge("request body of \(declared) bytes is larger than server.max_body_size (\(limit) bytes)")
        }
        let slot = try oneshots.reserveSlot()
        // The slot is released when the run ends; should the response never be written (the client gone
        // before its head), it is released when the response is dropped. Either way exactly once.
        let prepared = try await prepare(request, boundary: boundary, caller: caller, oneshots: oneshots, limits: limits)
        return respond(prepared, slot: slot, oneshots: oneshots, logger: logger)
    }

    /// A oneshot request read up to its media: the run, and where the media will come from.
    struct PreparedRun: Sendable {
        var run: OneshotService.Prepared
        var source: MultipartMediaSource?
    }

    static func prepare(_ request: Request, boundary: String, caller: Caller, oneshots: OneshotService, limits: UploadLimits) async throws -> PreparedRun {
        let stream = MultipartStream(
            body: request.body, boundary: boundary, maxBytes: limits.maxBodySize, maxParts: limits.multipartMaxFields
        )
        let yaml = try await readConfig(stream)
        let document = try oneshots.parse(yaml)
        // Look ahead for the media part: whether it exists decides which pipelines are valid.
        let media = try await findMedia(stream)
        let run = try oneshots.prepare(document, yaml: yaml, media: (media != nil, media?.contentType), caller: caller)
        let source = media.map { MultipartMediaSource(stream: stream, contentType: $0.contentType) }
        return PreparedRun(run: run, source: source)
    }

    /// The streaming response; the run happens while the body is written, and frees its slot at the end.
    ///
    /// A failure after the status line went out ends the chunked body with a `skit-error` trailer holding
    /// the JSON error (announced by `Trailer: skit-error`); a successful run ends it with no trailer.
    static func respond(_ prepared: PreparedRun, slot: ConcurrencyLimiter.Slot, oneshots: OneshotService, logger: Logger) -> Response {
        let body = ResponseBody { writer in
            defer { slot.release() }
            let trailers = try await OutputPump.run(prepared.run, oneshots: oneshots, source: prepared.source, contentType: prepared.source?.contentType, writer: &writer, logger: logger)
            // The run is over: its slot is free before the client sees the end of the body.
            slot.release()
            try await writer.finish(trailers)
        }
        return Response(status: .ok, headers: [.contentType: prepared.run.contentType, .trailer: OutputPump.errorTrailer.rawName], body: body)
    }

    /// The first part must be `config`; its text is the pipeline.
    static func readConfig(_ stream: MultipartStream) async throws -> String {
        guard case .partStarted(let name, _, _) = try await nextEvent(stream) else {
            throw APIError.badRequest("Empty multipart payload", code: "invalid_multipart")
        }
        guard name == "config" else {
            throw APIError.badRequest("Multipart fields must be ordered: 'config' first, then 'media' (first field was '\(name ?? "")')", code: "invalid_multipart")
        }
        var bytes: [UInt8] = []
        while let event = try await nextEvent(stream) {
            switch event {
            case .body(let chunk):
                bytes += chunk
                if bytes.count > maxConfigBytes { throw APIError.tooLarge("the 'config' field is larger than \(maxConfigBytes) bytes") }
            case .partEnded:
                return String(decoding: bytes, as: UTF8.self)
            case .partStarted:
                throw APIError.badRequest("malformed multipart body", code: "invalid_multipart")
            }
        }
        throw APIError.badRequest("the multipart body ended inside the 'config' field", code: "invalid_multipart")
    }

    /// Skips other fields until `media` starts (returned) or the body ends (nil).
    static func findMedia(_ stream: MultipartStream) async throws -> (name: String, contentType: String?)? {
        var skipping = false
        while let event = try await nextEvent(stream) {
            switch event {
            case .partStarted(let name, _, let contentType):
                if name == "media" { return ("media", contentType) }
                skipping = true
            case .body:
                guard skipping else { continue }
            case .partEnded:
                skipping = false
            }
        }
        return nil
    }

    static func nextEvent(_ stream: MultipartStream) async throws -> MultipartStream.Event? {
        do {
            return try await stream.next()
        } catch let failure as MultipartStream.Failure {
            switch failure {
            case .tooLarge(let limit): throw APIError.tooLarge("request body is larger than server.max_body_size (\(limit) bytes)")
            case .tooManyParts(let limit): throw APIError(.contentTooLarge, code: "too_many_fields", "more than \(limit) multipart fields (server.multipart_max_fields)")
            case .malformed(let reason): throw APIError.badRequest("malformed multipart body: \(reason)", code: "invalid_multipart")
            }
        }
    }
}
