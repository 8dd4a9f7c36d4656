import HTTPTypes
import Hummingbird
import Logging
import StreamKitCore
import StreamKitEngine

/// Runs the pipeline and copies what `streamkit::http_output` produces into the response as it comes.
enum OutputPump {
    /// Returns the trailers that end the body: nil for a clean run, `skit-error` for a failed one.
    /// Throws when the client went away (the pipeline is cancelled first).
    static func run(
        _ prepared: OneshotService.Prepared, oneshots: OneshotService, source: (any ByteSource)?, contentType: String?,
        writer: inout any ResponseBodyWriter, logger: Logger
    ) async throws -> HTTPFields? {
        // A bounded queue between the pipeline and the response writer: the pipeline waits while
        // the client is slow, and stops when the client goes away.
        let channel = NodeInbox(endsWithNoPins: true)
        channel.addPin("out", capacity: 8)
        channel.addWriter(to: "out")
        let sink = ChannelSink(channel: channel)
        let run = Task {
            defer { channel.writerFinished(on: "out") }
            return try await oneshots.run(prepared, input: source, inputContentType: contentType, output: sink)
        }
        do {
            while let input = await channel.next() {
                guard case .packet(_, .binary(let chunk)) = input else { continue }
                try await writer.write(ByteBuffer(bytes: chunk.data))
            }
        } catch {
            // The client went away: stop the pipeline.
            channel.close()
            run.cancel()
            _ = await run.result
            logger.info("oneshot client disconnected; pipeline cancelled")
            throw error
        }
        switch await run.result {
        case .success:
            return nil
        case .failure(let error):
            logger.warning("oneshot pipeline failed", metadata: ["error": "\(error)"])
            // The status line is long gone: the error travels in a trailer, which curl (-D) shows and
            // `skit-cli process` turns into an error exit. A client that ignores trailers cannot tell
            // the difference, so the README tells clients to look for it.
            let cause = (source as? MultipartMediaSource)?.failure.withLock { $0 } ?? error
            return [errorTrailer: failureJSON(cause).jsonString()]
        }
    }

    /// The trailer that carries a failure after the response started.
    static let errorTrailer = HTTPField.Name("skit-error")!

    /// `{"error": {"code": …, "message": …}}` for a run that failed mid-response, on one line.
    static func failureJSON(_ error: any Error) -> JSONValue {
        let code: String
        let message: String
        switch error {
        case let failure as MultipartStream.Failure:
            switch failure {
            case .tooLarge(let limit): (code, message) = ("too_large", "request body is larger than server.max_body_size (\(limit) bytes)")
            case .tooManyParts(let limit): (code, message) = ("too_many_fields", "more than \(limit) multipart fields (server.multipart_max_fields)")
            case .malformed(let reason): (code, message) = ("invalid_multipart", "malformed multipart body: \(reason)")
            }
        case let apiError as APIError:
            (code, message) = (apiError.code, apiError.message)
        case let serviceError as ServiceError:
            let apiError = APIError(serviceError)
            (code, message) = (apiError.code, apiError.message)
        default:
            (code, message) = ("pipeline_failed", "\(error)")
        }
        // Header values cannot hold line breaks.
        let flat = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        return ["error": ["code": .string(code), "message": .string(flat)]]
    }
}
