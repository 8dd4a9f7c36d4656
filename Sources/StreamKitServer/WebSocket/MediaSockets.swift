import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import StreamKitCore
import StreamKitNodes

/// Live media over WebSocket: `GET /api/v1/sessions/{session}/media/{node}` connects to a running
/// `transport::websocket::input` node (the client sends PCM) or `transport::websocket::output`
/// node (the client receives PCM). The nodes own their endpoints (``MediaEndpoints``); this only
/// checks the caller, finds the endpoint and moves bytes.
///
/// Same protections as the control plane: a browser page must come from an allowed origin, and
/// the caller must own the session and may tune nodes (`tune_nodes`), since feeding audio into a
/// session changes what it does.
enum MediaSockets {
    static let path = "api/v1/sessions/:session/media/:node"
    /// Largest inbound message: 1 s of 8-channel f32 audio at 48 kHz is 1.5 MB; clients send 10–100 ms.
    static let maxMessageBytes = 2 * 1024 * 1024

    static func install(on router: Router<BasicWebSocketRequestContext>, state: ServerState, basePath: String?) {
        var paths = [path]
        if let basePath {
            let trimmed = basePath.split(separator: "/").joined(separator: "/")
            if !trimmed.isEmpty { paths.append("\(trimmed)/\(path)") }
        }
        for path in paths {
            router.ws(
                RouterPath(path),
                shouldUpgrade: { request, context in
                    guard ControlPlane.originAllowed(request, state: state) else { return .dontUpgrade }
                    guard (try? await endpoint(request: request, parameters: context.parameters, state: state)) != nil else { return .dontUpgrade }
                    return .upgrade([:])
                },
                onUpgrade: { inbound, outbound, context in
                    let found: Endpoint
                    do {
                        found = try await endpoint(request: context.request, parameters: context.requestContext.parameters, state: state)
                    } catch {
                        try await outbound.close(.policyViolation, reason: "\(error)")
                        return
                    }
                    switch found {
                    case .input(let endpoint): try await receive(inbound, outbound, into: endpoint, logger: context.logger)
                    case .output(let endpoint): try await send(endpoint, outbound, inbound: inbound)
                    }
                }
            )
        }
    }

    enum Endpoint {
        case input(MediaInputEndpoint)
        case output(MediaOutputEndpoint)
    }

    /// The endpoint a request names, after the permission checks.
    static func endpoint(request: Request, parameters: Parameters, state: ServerState) async throws -> Endpoint {
        let role = state.role(for: request.headers)
        guard role.permissions.tuneNodes else { throw APIError.forbidden("Permission denied: cannot tune nodes") }
        let entry = try await SessionRoutes.owned(parameters.get("session"), role: role, state: state)
        let node = parameters.get("node") ?? ""
        if let input = MediaEndpoints.shared.input(session: entry.info.id, node: node) { return .input(input) }
        if let output = MediaEndpoints.shared.output(session: entry.info.id, node: node) { return .output(output) }
        throw APIError.notFound("Node '\(node)' of session '\(entry.info.id)' is not a running transport::websocket node")
    }

    /// Client → input node: an optional format announcement, then binary PCM messages.
    static func receive(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, into endpoint: MediaInputEndpoint, logger: Logger) async throws {
        var format = endpoint.defaultFormat
        try await outbound.write(.text(format.json.jsonString()))
        for try await message in inbound.messages(maxSize: maxMessageBytes) {
            switch message {
            case .text(let text):
                guard let json = try? JSONValue.parse(text), let announced = PCMFormat.parse(json, base: format) else {
                    try await outbound.close(.unacceptableData, reason: "bad format announcement")
                    return
                }
                format = announced
            case .binary(let buffer):
                let samples = format.decode(buffer.readableBytesView)
                guard !samples.isEmpty else { continue }
                let frame = AudioFrame(sampleRate: format.sampleRate, channels: format.channels, samples: samples)
                guard endpoint.push(frame) else {
                    try await outbound.close(.goingAway, reason: "node stopped")
                    return
                }
            }
        }
    }

    /// Output node → client: the format, then PCM, until the node ends or the client leaves.
    static func send(_ endpoint: MediaOutputEndpoint, _ outbound: WebSocketOutboundWriter, inbound: WebSocketInboundStream) async throws {
        let (messages, stop) = endpoint.listen()
        defer { stop() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Reading keeps pings and the client's Close flowing; anything the client sends is ignored.
            group.addTask {
                for try await _ in inbound.messages(maxSize: maxMessageBytes) {}
            }
            group.addTask {
                for await message in messages {
                    switch message {
                    case .format(let format): try await outbound.write(.text(format.json.jsonString()))
                    case .audio(let bytes): try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                    }
                }
                try await outbound.close(.goingAway, reason: "node stopped")
            }
            // Whichever side ends first ends the connection.
            _ = try await group.next()
            group.cancelAll()
        }
    }
}
