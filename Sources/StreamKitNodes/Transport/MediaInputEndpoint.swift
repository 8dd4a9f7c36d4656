import StreamKitCore
import Synchronization

/// Audio arriving from sockets for one input node: a bounded jitter buffer.
///
/// Live audio prefers fresh samples to complete ones: when the node falls behind and the buffer
/// holds more than its capacity, the oldest frames are dropped (and counted) rather than letting
/// latency grow without bound.
public final class MediaInputEndpoint: Sendable {
    /// The format a socket gets when it announces none.
    public let defaultFormat: PCMFormat
    /// Most audio held, in frames per channel.
    public let capacityFrames: Int
    /// The encoding the node's parameters fix; nil lets each client choose (PCM unless it asks).
    public let encoding: MediaEncoding?

    private struct State {
        // A few dozen frames at most (the capacity bounds it), so removing from the front is cheap.
        var frames: [AudioFrame] = []
        var heldFrames = 0
        var dropped = 0
        var closed = false
    }

    private let state = Mutex(State())

    init(defaultFormat: PCMFormat, capacityFrames: Int, encoding: MediaEncoding? = nil) {
        self.defaultFormat = defaultFormat
        self.encoding = encoding
        self.capacityFrames = max(1, capacityFrames)
    }

    /// Adds audio from a socket. Returns false once the node has ended (the socket should close).
    @discardableResult
    public func push(_ frame: AudioFrame) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.frames.append(frame)
            state.heldFrames += frame.frameCount
            while state.heldFrames > capacityFrames, let oldest = (state.frames.isEmpty ? nil : state.frames.removeFirst()) {
                state.heldFrames -= oldest.frameCount
                state.dropped += 1
            }
            return true
        }
    }

    /// The oldest buffered frame, if any.
    func take() -> AudioFrame? {
        state.withLock { state in
            guard let frame = (state.frames.isEmpty ? nil : state.frames.removeFirst()) else { return nil }
            state.heldFrames -= frame.frameCount
            return frame
        }
    }

    /// Frames dropped so far because the buffer was full; reading resets the count.
    func takeDropped() -> Int {
        state.withLock { state in
            defer { state.dropped = 0 }
            return state.dropped
        }
    }

    /// Whether the node is still there.
    public var isOpen: Bool { state.withLock { !$0.closed } }

    func close() { state.withLock { $0.closed = true } }
}
