import StreamKitCore
import Synchronization

/// Audio leaving one output node for every connected socket.
///
/// Each listener has its own bounded queue: a slow socket loses its oldest messages and never
/// slows the pipeline or the other listeners. PCM listeners get the node's frames as raw
/// samples. Ogg/Opus listeners get the Opus packets the node encodes (once, for all of them),
/// each laid out on a stream of its own (``OggOpusPager``): a listener that joins mid-session
/// still starts with the `OpusHead` and `OpusTags` pages. A PCM listener whose oldest messages
/// are dropped hears a gap; an Ogg listener's page sequence then has a hole, which decoders
/// treat as packet loss.
public final class MediaOutputEndpoint: Sendable {
    /// One socket's queue of messages.
    public enum Message: Sendable {
        /// A text message: the format announcement (`{"type":"format",…}`).
        case announce(JSONValue)
        /// A binary message: PCM samples or Ogg pages.
        case audio([UInt8])
        /// The socket must close with this reason (the node cannot serve what it asked for).
        case refuse(String)
    }

    private struct Listener {
        var continuation: AsyncStream<Message>.Continuation
        var encoding: MediaEncoding
        /// Ogg listeners: their own stream, begun once the encoder's `OpusHead` is known.
        var pager: OggOpusPager?
        var serial: UInt32
    }

    private struct State {
        var listeners: [Int: Listener] = [:]
        var nextID = 0
        var format: PCMFormat?
        var opusHead: OpusHead?
        var closed = false
    }

    private let state = Mutex(State())
    /// Messages a listener may have waiting before its oldest are dropped.
    public let listenerCapacity: Int
    /// The sample encoding PCM sockets receive.
    public let sampleFormat: PCMFormat.SampleFormat
    /// The encoding the node's parameters fix; nil lets each client choose (PCM unless it asks).
    public let encoding: MediaEncoding?

    init(listenerCapacity: Int, sampleFormat: PCMFormat.SampleFormat, encoding: MediaEncoding? = nil) {
        self.listenerCapacity = max(1, listenerCapacity)
        self.sampleFormat = sampleFormat
        self.encoding = encoding
    }

    /// Starts listening: the stream yields the current format (if known), then every message,
    /// and finishes when the node ends. Call the returned closure to stop listening.
    public func listen(encoding: MediaEncoding = .pcm) -> (AsyncStream<Message>, @Sendable () -> Void) {
        let (stream, continuation) = AsyncStream.makeStream(of: Message.self, bufferingPolicy: .bufferingNewest(listenerCapacity))
        let id: Int? = state.withLock { state in
            guard !state.closed else { return nil }
            let id = state.nextID
            state.nextID += 1
            var listener = Listener(continuation: continuation, encoding: encoding, serial: .random(in: 1...UInt32.max))
            // Every listener hears at once what it will get, so a client knows it is attached
            // before any audio flows (the load tester waits for this before it sends).
            switch encoding {
            case .pcm:
                if let format = state.format {
                    continuation.yield(.announce(format.json))
                } else {
                    continuation.yield(.announce(["type": "format", "encoding": "pcm", "sample_format": .string(sampleFormat.rawValue)]))
                }
            case .oggOpus:
                if let head = state.opusHead {
                    Self.begin(&listener, head: head)
                } else {
                    continuation.yield(.announce(MediaEncoding.oggOpusAnnouncement(channels: nil)))
                }
            }
            state.listeners[id] = listener
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

    /// Whether any socket wants Ogg/Opus (the node encodes only then).
    var hasOpusListeners: Bool { state.withLock { $0.listeners.values.contains { $0.encoding == .oggOpus } } }

    /// Sends one audio frame to every PCM listener (announcing a new format first). Samples are
    /// converted to bytes only when a PCM listener is there to take them.
    func broadcast(_ frame: AudioFrame) {
        let format = PCMFormat(sampleRate: frame.sampleRate, channels: frame.channels, sampleFormat: sampleFormat)
        let anyPCM = state.withLock { state -> Bool in
            let changed = state.format != format
            state.format = format
            var any = false
            for listener in state.listeners.values where listener.encoding == .pcm {
                if changed { listener.continuation.yield(.announce(format.json)) }
                any = true
            }
            return any
        }
        guard anyPCM else { return }
        let bytes = format.encode(frame.samples)
        state.withLock { state in
            for listener in state.listeners.values where listener.encoding == .pcm {
                listener.continuation.yield(.audio(bytes))
            }
        }
    }

    /// Sends Opus packets to every Ogg listener, each on its own stream. A new `head` (the node
    /// restarted its encoder for a new input format) ends each stream and chains a new one.
    func broadcast(opus packets: [BinaryPacket], head: OpusHead) {
        state.withLock { state in
            let newHead = state.opusHead != head
            state.opusHead = head
            for (id, var listener) in state.listeners where listener.encoding == .oggOpus {
                if newHead || listener.pager == nil {
                    if var ended = listener.pager {
                        listener.continuation.yield(.audio(ended.flush(endOfStream: true)))
                        listener.serial &+= 1
                    }
                    Self.begin(&listener, head: head)
                }
                guard var pager = listener.pager else { continue }
                let bytes = pager.pages(packets)
                listener.pager = pager
                if !bytes.isEmpty { listener.continuation.yield(.audio(bytes)) }
                state.listeners[id] = listener
            }
        }
    }

    /// Closes every Ogg listener with `reason` (the node cannot encode its audio as Opus).
    func refuseOpus(_ reason: String) {
        let refused = state.withLock { state -> [AsyncStream<Message>.Continuation] in
            let ids = state.listeners.filter { $0.value.encoding == .oggOpus }.map(\.key)
            return ids.compactMap { state.listeners.removeValue(forKey: $0)?.continuation }
        }
        for continuation in refused {
            continuation.yield(.refuse(reason))
            continuation.finish()
        }
    }

    /// Starts a listener's Ogg stream: the announcement, then the header pages.
    private static func begin(_ listener: inout Listener, head: OpusHead) {
        var pager = OggOpusPager(serial: listener.serial)
        listener.continuation.yield(.announce(MediaEncoding.oggOpusAnnouncement(channels: head.channels)))
        listener.continuation.yield(.audio(pager.headers(head)))
        listener.pager = pager
    }

    func close() {
        let listeners = state.withLock { state -> [AsyncStream<Message>.Continuation] in
            state.closed = true
            defer { state.listeners = [:] }
            return state.listeners.values.map(\.continuation)
        }
        for continuation in listeners { continuation.finish() }
    }
}
