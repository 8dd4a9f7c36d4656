import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import StreamKitCore
import StreamKitNodes
import StreamKitScheduling

/// Live media over WebSocket: `GET /api/v1/sessions/{session}/media/{node}` connects to a running
/// `transport::websocket::input` node (the client sends audio) or `transport::websocket::output`
/// node (the client receives audio), as raw PCM or, with `?encoding=ogg_opus`, as an Ogg Opus
/// stream (``MediaEncoding``). The nodes own their endpoints (``MediaEndpoints``); this only
/// checks the caller, finds the endpoint and moves bytes. Ogg Opus from a client is decoded here,
/// on a queue of the socket's own (never the cooperative pool); anything wrong with it closes
/// that socket with a reason and leaves the node and the session running.
///
/// Same protections as the control plane: a browser page must come from an allowed origin, and
/// the caller must own the session and may tune nodes (`tune_nodes`), since feeding audio into a
/// session changes what it does.
enum MediaSockets {
    static let path = "api/v1/sessions/:session/media/:node"
    /// Largest inbound message: 1 s of 8-channel f32 audio at 48 kHz is 1.5 MB; clients send 10–100 ms.
    static let maxMessageBytes = 2 * 1024 * 1024

    static func install(on router: Router<SocketRequestContext>, state: ServerState, basePath: String?) {
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
                        try await outbound.close(.policyViolation, reason: closeReason(error))
                        return
                    }
                    let node = context.requestContext.parameters.get("node") ?? ""
                    let requested: MediaEncoding?
                    let encoding: MediaEncoding
                    do {
                        requested = try context.request.uri.queryParameters.get("encoding").map { name throws(StreamKitError) in try MediaEncoding.parse(name) }
                        encoding = try MediaEncoding.resolve(requested: requested, fixed: found.encoding, node: node)
                    } catch {
                        try await outbound.close(.unacceptableData, reason: closeReason(error))
                        return
                    }
                    try await state.connections.holdingPlace(for: context.requestContext.remoteIP, outbound: outbound) {
                        switch found {
                        case .input(let endpoint):
                            try await receive(inbound, outbound, into: endpoint, encoding: encoding, node: node, logger: context.logger)
                        case .output(let endpoint):
                            try await send(endpoint, encoding: encoding, outbound, inbound: inbound)
                        }
                    }
                }
            )
        }
    }

    enum Endpoint {
        case input(MediaInputEndpoint)
        case output(MediaOutputEndpoint)

        /// The encoding the node's parameters fix, if any.
        var encoding: MediaEncoding? {
            switch self {
            case .input(let endpoint): endpoint.encoding
            case .output(let endpoint): endpoint.encoding
            }
        }
    }

    /// The endpoint a request names, after the permission checks (the caller must be able to tune
    /// nodes of the session: feeding audio into a session changes what it does).
    static func endpoint(request: Request, parameters: Parameters, state: ServerState) async throws -> Endpoint {
        let role = state.role(for: request.headers)
        if let refusal = role.refusal { throw APIError(ServiceError.permissionDenied(refusal)) }
        let entry: SessionManager.Entry
        do {
            entry = try await state.sessionService.session(parameters.get("session") ?? "", for: .tuneNodes, caller: Caller(role))
        } catch {
            // Close reasons keep the HTTP form of the error ("403 forbidden: …"), as they always have.
            throw APIError(error)
        }
        let node = parameters.get("node") ?? ""
        if let input = MediaEndpoints.shared.input(session: entry.info.id, node: node) { return .input(input) }
        if let output = MediaEndpoints.shared.output(session: entry.info.id, node: node) { return .output(output) }
        throw APIError.notFound("Node '\(node)' of session '\(entry.info.id)' is not a running transport::websocket node")
    }

    /// Client → input node: an optional format announcement, then binary PCM messages or an Ogg
    /// Opus stream cut into messages anywhere.
    static func receive(
        _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, into endpoint: MediaInputEndpoint,
        encoding initial: MediaEncoding, node: String, logger: Logger
    ) async throws {
        var format = endpoint.defaultFormat
        var encoding = initial
        // Created with the first Ogg bytes; one per socket, since each client sends its own stream.
        var ogg: OggOpusAudioDecoder?
        let codecQueue = BlockingQueue(label: "streamkit.media.\(node)")
        try await outbound.write(.text((encoding == .pcm ? format.json : MediaEncoding.oggOpusAnnouncement(channels: nil)).jsonString()))
        for try await message in inbound.messages(maxSize: maxMessageBytes) {
            switch message {
            case .text(let text):
                guard let json = try? JSONValue.parse(text) else {
                    try await outbound.close(.unacceptableData, reason: "bad format announcement: not JSON")
                    return
                }
                if let name = json["encoding"]?.stringValue {
                    do {
                        let chosen = try MediaEncoding.resolve(requested: try MediaEncoding.parse(name), fixed: endpoint.encoding, node: node)
                        if chosen != encoding { ogg = nil }
                        encoding = chosen
                    } catch {
                        try await outbound.close(.unacceptableData, reason: closeReason(error))
                        return
                    }
                }
                if encoding == .pcm {
                    guard let announced = PCMFormat.parse(json, base: format) else {
                        try await outbound.close(.unacceptableData, reason: "bad format announcement")
                        return
                    }
                    format = announced
                }
            case .binary(let buffer):
                let frames: [AudioFrame]
                switch encoding {
                case .pcm:
                    let samples = format.decode(buffer.readableBytesView)
                    frames = samples.isEmpty ? [] : [AudioFrame(sampleRate: format.sampleRate, channels: format.channels, samples: samples)]
                case .oggOpus:
                    let decoder = ogg ?? OggOpusAudioDecoder()
                    ogg = decoder
                    let bytes = Array(buffer.readableBytesView)
                    do {
                        frames = try await codecQueue.run { try decoder.feed(bytes) }
                    } catch {
                        logger.info("media socket closed: bad Ogg Opus input", metadata: ["node": "\(node)", "error": "\(error)"])
                        try await outbound.close(.unacceptableData, reason: closeReason(error))
                        return
                    }
                }
                for frame in frames {
                    guard endpoint.push(frame) else {
                        try await outbound.close(.goingAway, reason: "node stopped")
                        return
                    }
                }
            }
        }
    }

    /// A close reason that fits a Close frame (RFC 6455 allows 123 bytes of UTF-8 after the code).
    static func closeReason(_ text: String) -> String {
        var reason = text
        while reason.utf8.count > 123 { reason.removeLast() }
        return reason
    }

    /// The close reason for `error`: bad input says only what was wrong with it.
    static func closeReason(_ error: any Error) -> String {
        if case .invalidData(let message)? = error as? StreamKitError { return closeReason(message) }
        return closeReason("\(error)")
    }

    /// Output node → client: the format, then PCM or Ogg pages, until the node ends or the client leaves.
    static func send(_ endpoint: MediaOutputEndpoint, encoding: MediaEncoding, _ outbound: WebSocketOutboundWriter, inbound: WebSocketInboundStream) async throws {
        let (messages, stop) = endpoint.listen(encoding: encoding)
        defer { stop() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Reading keeps pings and the client's Close flowing; anything the client sends is ignored.
            group.addTask {
                for try await _ in inbound.messages(maxSize: maxMessageBytes) {}
            }
            group.addTask {
                for await message in messages {
                    switch message {
                    case .announce(let json): try await outbound.write(.text(json.jsonString()))
                    case .audio(let bytes): try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                    case .refuse(let reason):
                        try await outbound.close(.unacceptableData, reason: closeReason(reason))
                        return
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
