import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTPTypes
import StreamKitCore
import Synchronization

/// Counts open connections, in all and per remote IP address, against `server.max_connections` and
/// `server.max_connections_per_address`. One client that opens hundreds of WebSockets and never reads
/// them cannot take the memory and file descriptors every other client needs.
public final class ConnectionLimiter: Sendable {
    /// `server.max_connections`.
    public let maxConnections: Int
    /// `server.max_connections_per_address`.
    public let maxPerAddress: Int

    private struct Counts {
        var total = 0
        var byAddress: [String: Int] = [:]
    }
    private let counts = Mutex(Counts())

    /// Creates a limiter; limits below 1 are raised to 1.
    public init(maxConnections: Int, maxPerAddress: Int) {
        self.maxConnections = max(1, maxConnections)
        self.maxPerAddress = max(1, maxPerAddress)
    }

    /// Why a connection from `address` may not open now; nil when it was admitted (and counted).
    func admit(address: String) -> String? {
        counts.withLock { counts in
            if counts.total >= maxConnections {
                return "the server has \(maxConnections) open connections (server.max_connections)"
            }
            if counts.byAddress[address, default: 0] >= maxPerAddress {
                return "too many open connections from your address (server.max_connections_per_address = \(maxPerAddress))"
            }
            counts.total += 1
            counts.byAddress[address, default: 0] += 1
            return nil
        }
    }

    /// Gives back the place of an admitted connection from `address`.
    func leave(address: String) {
        counts.withLock { counts in
            counts.total = max(0, counts.total - 1)
            let left = counts.byAddress[address, default: 1] - 1
            counts.byAddress[address] = left > 0 ? left : nil
        }
    }

    /// Open connections now, in all.
    public var open: Int { counts.withLock { $0.total } }
}

/// The first handler after the HTTP codec on every connection: admits the connection against the
/// ``ConnectionLimiter`` when it is added, and frees its place when the channel closes (also after a
/// WebSocket upgrade has removed this handler). A refused connection gets a 503 for its first request
/// and is closed; nothing of it reaches the routes.
final class ConnectionAdmission: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private let limiter: ConnectionLimiter
    /// Why this connection was refused; nil once admitted.
    private var refusal: String?
    /// Whether the refusal has been answered (later requests on the connection are dropped).
    private var answered = false

    init(limiter: ConnectionLimiter) {
        self.limiter = limiter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // The peer's IP alone (not its port): the limit is per client machine.
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        if let refusal = limiter.admit(address: address) {
            self.refusal = refusal
            return
        }
        let limiter = self.limiter
        context.channel.closeFuture.whenComplete { _ in limiter.leave(address: address) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let refusal else {
            context.fireChannelRead(data)
            return
        }
        guard case .head = unwrapInboundIn(data), !answered else { return }
        answered = true
        let error: JSONValue = ["error": ["code": "too_many_connections", "message": .string("\(refusal); retry shortly")]]
        let body = ByteBuffer(string: error.jsonString())
        let head = HTTPResponse(status: .serviceUnavailable, headerFields: [
            .contentType: "application/json", .contentLength: "\(body.readableBytes)", .retryAfter: "1", .connection: "close",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
