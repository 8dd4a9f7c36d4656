import StreamKitCore
import StreamKitEngine

/// The output sink of a oneshot run, writing into the bounded channel the response reads.
struct ChannelSink: ByteSink {
    let channel: NodeInbox

    func write(_ bytes: [UInt8]) async throws {
        if await channel.send(.binary(BinaryPacket(data: bytes)), to: "out") == .closed {
            throw OneshotError.outputClosed
        }
    }
}
