import Hummingbird
import StreamKitCore

/// Reading request bodies with the server's limits.
enum RequestBodies {
    /// The body as JSON, refusing anything over `limit` bytes with 413.
    static func json(_ request: inout Request, limit: Int) async throws -> JSONValue {
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw APIError.tooLarge("request body is larger than \(limit) bytes")
        }
        do {
            return try JSONValue.parse(String(buffer: buffer))
        } catch {
            throw APIError.badRequest("the request body is not valid JSON: \(error)", code: "invalid_json")
        }
    }
}
