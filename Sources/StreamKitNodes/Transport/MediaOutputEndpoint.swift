import StreamKitCore
import Synchronization

/// Audio leaving one output node for every connected socket.
///
/// Each listener has its own bounded queue: a slow socket loses its oldest messages and never
/// slows the pipeline or the other listeners.
public final class MediaOutputEndpoint: Sendable {
    /// One socket's queue of messages (binary PCM, or a text format announcement).
    public enum Message: Sendable {
        case format(PCMFormat)
        case audio([UInt8])
    }

    private struct State {
        var listeners: [Int: AsyncStream<Message>.Continuation] = [:]
        var nextID = 0
        var format: PCMFormat?
        var closed = false
    }

    private let state = Mutex(State())
    /// Messages a listener may have waiting before its oldest are dropped.
    public let listenerCapacity: Int
    /// The sample encoding sockets receive.
    public let sampleFormat: PCMFormat.SampleFormat

    init(listenerCapacity: Int, sampleFormat: PCMFormat.SampleFormat) {
        self.listenerCapacity = max(1, listenerCapacity)
        self.sampleFormat = sampleFormat
    }

    /// Starts listening: the stream yields the current format (if known), then every message,
    /// and finishes when the node ends. Call the returned closure to stop listening.
    public func listen() -> (AsyncStream<Message>, @Sendable () -> Void) {
        let (stream, continuation) = AsyncStream.makeStream(of: Message.self, bufferingPolicy: .bufferingNewest(listenerCapacity))
        let id: Int? = state.withLock { state in
            guard !state.closed else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.listeners[id] = continuation
            if let format = state.format { continuation.yield(.format(format)) }
            return id
        }
        guard let id else {
            continuation.finish()
            return (stream, {})
        }
        let stop: @Sendable () -> Void = { [weak self] in
            _ = self?.state.withLock { $0.listeners.removeValue(forKey: id) }
            continuation.finish()
        }
        return (stream, stop)
    }

    /// Number of sockets listening.
    public var listenerCount: Int { state.withLock { $0.listeners.count } }

    /// Sends one audio frame to every listener (announcing a new format first).
    func broadcast(_ frame: AudioFrame) {
        let format = PCMFormat(sampleRate: frame.sampleRate, channels: frame.channels, sampleFormat: sampleFormat)
        let bytes = format.encode(frame.samples)
        state.withLock { state in
            let announce = state.format != format
            state.format = format
            for continuation in state.listeners.values {
                if announce { continuation.yield(.format(format)) }
                continuation.yield(.audio(bytes))
            }
        }
    }

    func close() {
        let listeners = state.withLock { state -> [AsyncStream<Message>.Continuation] in
            state.closed = true
            defer { state.listeners = [:] }
            return Array(state.listeners.values)
        }
        for continuation in listeners { continuation.finish() }
    }
}
