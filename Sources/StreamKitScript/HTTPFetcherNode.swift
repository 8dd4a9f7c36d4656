import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StreamKitCore

/// `transport::http::fetcher`: pulls a URL and sends its body as Binary packets of `chunk_size`
/// bytes, as it arrives. The body is read only as fast as the pipeline takes the packets (the
/// client's body stream is back-pressured), so memory stays at a few chunks whatever the size.
/// Redirects are not followed; a status other than 2xx fails the node with the URL and status.
/// Only roles whose `allowed_nodes` admit `transport::http::fetcher` may use it (admin by default).
struct HTTPFetcherNode: Node {
    static let kind = "transport::http::fetcher"

    static let definition = NodeDefinition(
        kind: kind,
        description: "Fetches a URL (http or https, redirects not followed) and streams its body as Binary packets.",
        categories: ["transport", "http"],
        paramSchema: [
            "type": "object",
            "properties": [
                "url": ["type": "string", "description": "The http or https URL to fetch.", "minLength": 1],
                "chunk_size": ["type": "integer", "description": "Bytes per Binary packet.", "default": 8192, "minimum": 1, "maximum": 16_777_216],
                "max_bytes": [
                    "type": "integer", "description": "Largest body accepted; more fails the node.",
                    "default": .number(Double(1 << 30)), "minimum": 1,
                ],
                "timeout_ms": [
                    "type": "integer", "description": "Longest wait for the response head (a stalled body is cut after 60 s).",
                    "default": 30_000, "minimum": 1,
                ],
            ],
            "required": ["url"],
        ],
        inputs: [],
        outputs: [OutputPin(name: "out", produces: .binary)],
        factory: { params in try HTTPFetcherNode(params: params) }
    )

    var url: String
    var chunkSize: Int
    var maxBytes: Int
    var timeout: Duration

    var inputPins: [InputPin] { [] }
    var outputPins: [OutputPin] { Self.definition.outputs }

    init(params: JSONValue) throws {
        url = params["url"]?.stringValue ?? ""
        if let problem = OutboundHTTP.checkURL(url) { throw ScriptError("params.url: \(problem)") }
        chunkSize = max(1, params["chunk_size"]?.intValue ?? 8192)
        maxBytes = max(1, params["max_bytes"]?.intValue ?? 1 << 30)
        timeout = .milliseconds(max(1, params["timeout_ms"]?.intValue ?? 30_000))
    }

    func run(context: NodeContext) async throws {
        context.setState(.running)
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        let response: HTTPClientResponse
        do {
            response = try await OutboundHTTP.client.execute(request, timeout: .nanoseconds(Int64(timeout.seconds * 1e9)))
        } catch {
            throw StreamKitError.runtime("transport::http::fetcher: GET \(url) failed: \(ScriptRuntime.describe(error))")
        }
        guard (200..<300).contains(response.status.code) else {
            throw StreamKitError.runtime("transport::http::fetcher: GET \(url) answered \(response.status.code) \(response.status.reasonPhrase)")
        }
        let contentType = response.headers.first(name: "content-type")
        if let declared = response.headers.first(name: "content-length").flatMap(Int.init), declared > maxBytes {
            throw StreamKitError.runtime("transport::http::fetcher: GET \(url) is \(declared) bytes, more than max_bytes (\(maxBytes))")
        }
        var pending = ByteBuffer()
        var total = 0
        var sequence: UInt64 = 0
        do {
            for try await piece in response.body {
                var piece = piece
                total += piece.readableBytes
                guard total <= maxBytes else {
                    throw StreamKitError.runtime("transport::http::fetcher: GET \(url) sent more than max_bytes (\(maxBytes))")
                }
                pending.writeBuffer(&piece)
                while pending.readableBytes >= chunkSize, let bytes = pending.readBytes(length: chunkSize) {
                    try await context.send(.binary(BinaryPacket(data: bytes, contentType: contentType, metadata: PacketMetadata(sequence: sequence))))
                    sequence += 1
                }
                pending.discardReadBytes()
            }
        } catch let error as StreamKitError {
            throw error
        } catch let error as NodeStopRequested {
            throw error
        } catch {
            throw StreamKitError.runtime("transport::http::fetcher: GET \(url) broke off after \(total) bytes: \(ScriptRuntime.describe(error))")
        }
        if pending.readableBytes > 0, let bytes = pending.readBytes(length: pending.readableBytes) {
            try await context.send(.binary(BinaryPacket(data: bytes, contentType: contentType, metadata: PacketMetadata(sequence: sequence))))
        }
    }
}
