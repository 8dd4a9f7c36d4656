import Hummingbird
import HummingbirdWebSocket
import Logging

/// The WebSocket control plane, `GET /api/v1/control` (§5): sessions, nodes, links, tuning and
/// batches as JSON requests, and every change as an event.
///
/// Usage: install the upgrade route on the WebSocket router, the fallback on the HTTP router
/// (it answers plain `GET`s of the route), and configure the server with
/// ``webSocketConfiguration(for:)`` so messages up to the configured size reach the handler.
public enum ControlPlane {
    /// The route, relative to the server root (and to `base_path` when set).
    public static let path = "api/v1/control"
    /// The body of the 403 answer to a browser page from a foreign origin.
    public static let originRefusal = "WebSocket Origin not allowed"

    /// Limits of one control connection.
    public struct Options: Sendable {
        /// Largest inbound message (text or binary, all fragments together) in bytes.
        public var maxMessageBytes: Int
        /// Messages waiting for the writer before the request loop and the event pump must wait.
        public var outboundQueueCapacity: Int
        /// How long a final message and the Close frame may take to go out before the connection is dropped.
        public var flushTimeout: Duration

        /// Creates options; values below 1 are raised to 1.
        public init(maxMessageBytes: Int = 1024 * 1024, outboundQueueCapacity: Int = 64, flushTimeout: Duration = .seconds(5)) {
            self.maxMessageBytes = max(1, maxMessageBytes)
            self.outboundQueueCapacity = max(1, outboundQueueCapacity)
            self.flushTimeout = flushTimeout
        }
    }

    /// Adds the `/api/v1/control` WebSocket route (and under `basePath` when given).
    public static func install(on router: Router<SocketRequestContext>, state: ServerState, basePath: String?) {
        install(on: router, state: state, basePath: basePath, options: Options(maxMessageBytes: state.configuration.server.websocketMaxMessageBytes))
    }

    /// Adds the route with explicit connection limits.
    public static func install(on router: Router<SocketRequestContext>, state: ServerState, basePath: String?, options: Options) {
        for path in paths(basePath: basePath) {
            router.ws(
                RouterPath(path),
                shouldUpgrade: { request, _ in
                    // A refused handshake never becomes a WebSocket. Hummingbird answers every
                    // refused handshake itself (an empty 400, not customisable); requests for this
                    // path that are not handshakes reach the HTTP router, where
                    // `installUpgradeFallback` answers 403 `WebSocket Origin not allowed`.
                    originAllowed(request, state: state) ? .upgrade([:]) : .dontUpgrade
                },
                onUpgrade: { inbound, outbound, context in
                    let role = state.role(for: context.request.headers)
                    if let refusal = role.refusal {
                        try? await outbound.close(.policyViolation, reason: MediaSockets.closeReason(ServiceError.permissionDenied(refusal).message))
                        return
                    }
                    var logger = context.logger
                    logger[metadataKey: "role"] = "\(role.name)"
                    if role.usedFallback {
                        logger.warning("unknown role; using the default role's permissions (permissions.unknown_role_fallback)")
                    }
                    try await state.connections.holdingPlace(for: context.requestContext.remoteIP, outbound: outbound) {
                        let handler = ControlRequestHandler(
                            sessions: state.sessionService, nodes: state.nodeCatalog, caller: Caller(role), logger: logger
                        )
                        let connection = ControlConnection(handler: handler, options: options, logger: logger)
                        await connection.run(inbound: inbound, outbound: outbound)
                    }
                }
            )
        }
    }

    /// Adds the plain-HTTP answer for `GET /api/v1/control` requests that were not upgraded:
    /// 403 `WebSocket Origin not allowed` for a refused Origin, else 426 (this route only speaks WebSocket).
    /// Install it on the HTTP router at the root and under `base_path`.
    public static func installUpgradeFallback<Context: RequestContext>(on router: some RouterMethods<Context>, state: ServerState) {
        router.get(RouterPath(path)) { request, _ -> Response in
            guard originAllowed(request, state: state) else {
                return plainText(originRefusal, status: .forbidden)
            }
            var response = plainText("This endpoint only accepts WebSocket connections", status: .init(code: 426))
            response.headers[.upgrade] = "websocket"
            return response
        }
    }

    /// The WebSocket server configuration for `state`: frames up to twice the message limit are let
    /// through, so a too-large message is answered with an error (not just dropped by the transport).
    public static func webSocketConfiguration(for state: ServerState) -> WebSocketServerConfiguration {
        webSocketConfiguration(maxMessageBytes: state.configuration.server.websocketMaxMessageBytes)
    }

    /// The WebSocket server configuration for a message limit of `maxMessageBytes`.
    public static func webSocketConfiguration(maxMessageBytes: Int) -> WebSocketServerConfiguration {
        let limit = max(1, maxMessageBytes)
        let (doubled, overflow) = limit.multipliedReportingOverflow(by: 2)
        return WebSocketServerConfiguration(maxFrameSize: overflow ? Int(Int32.max) : min(doubled, Int(Int32.max)))
    }

    // MARK: Helpers

    static func paths(basePath: String?) -> [String] {
        guard let basePath else { return [path] }
        let trimmed = basePath.split(separator: "/").joined(separator: "/")
        return trimmed.isEmpty ? [path] : [path, "\(trimmed)/\(path)"]
    }

    /// Whether the upgrade request may connect: no Origin (not a browser) is allowed; otherwise every
    /// Origin value must match `server.cors.allowed_origins`.
    ///
    /// Deliberate difference from the original: an Origin with a `ws:` or `wss:` scheme is accepted.
    /// Browsers always send the page's own origin (`http(s)://…` or `null`), never a WebSocket URL, so
    /// such a header can only come from a non-browser client, which the Origin check does not
    /// concern (it guards against cross-site pages, and non-browser clients can send anything). Some
    /// WebSocket client libraries (HummingbirdWSClient among them) send `Origin: ws://<host>` on their own.
    static func originAllowed(_ request: Request, state: ServerState) -> Bool {
        let origins = request.headers[values: .origin]
        return origins.allSatisfy { origin in
            let lowered = origin.lowercased()
            if lowered.hasPrefix("ws://") || lowered.hasPrefix("wss://") { return true }
            return state.allowsOrigin(origin)
        }
    }

    private static func plainText(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }
}
