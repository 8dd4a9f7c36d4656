import Hummingbird
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// The request context of the WebSocket routes: Hummingbird's basic one plus the peer's IP address,
/// which the connection limits (`server.max_connections_per_address`) count WebSockets by. Upgraded
/// connections never pass the HTTP connection handlers, so the routes count them themselves.
public struct SocketRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    /// The peer's IP address ("unknown" when the channel has none).
    public let remoteIP: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.remoteIP = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}

extension ConnectionLimiter {
    /// Runs `body` for an upgraded WebSocket from `address` while it holds a place; a refused socket is
    /// closed with 1013 (try again later) and the reason, and `body` does not run.
    func holdingPlace(
        for address: String, outbound: WebSocketOutboundWriter, _ body: () async throws -> Void
    ) async throws {
        if let refusal = admit(address: address) {
            try? await outbound.close(.unknown(1013), reason: MediaSockets.closeReason("\(refusal); retry shortly"))
            return
        }
        defer { leave(address: address) }
        try await body()
    }
}
