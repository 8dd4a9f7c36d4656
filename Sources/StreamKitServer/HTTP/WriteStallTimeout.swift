import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client has stopped reading: once the channel has been unwritable (its
/// outbound buffer over the high-water mark) for `timeout` without draining, the connection is closed,
/// every pending write fails, and the request that was writing ends, giving back what it held (a
/// oneshot slot, a pipeline). Hummingbird's idle timeout covers the other direction only: it leaves a
/// connection alone while a response is being written.
final class WriteStallTimeout: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart

    private let timeout: TimeAmount
    private var pending: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            pending?.cancel()
            pending = nil
        } else if pending == nil {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            pending = context.eventLoop.scheduleTask(in: timeout) {
                let context = loopBound.value
                guard !context.channel.isWritable else { return }
                context.close(promise: nil)
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        pending?.cancel()
        pending = nil
    }
}
