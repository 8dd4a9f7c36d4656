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
    /// Most audio held, in microseconds. Time, not frames: clients may send at different rates
    /// (a PCM client announcing its own, Ogg Opus always 48 kHz).
    public let capacityMicroseconds: Int
    /// The encoding the node's parameters fix; nil lets each client choose (PCM unless it asks).
    public let encoding: MediaEncoding?

    private struct State {
        // A few dozen frames at most (the capacity bounds it), so removing from the front is cheap.
        var frames: [AudioFrame] = []
        var heldMicroseconds = 0
        var dropped = 0
        var closed = false
    }

    private let state = Mutex(State())

    init(defaultFormat: PCMFormat, capacityMilliseconds: Int, encoding: MediaEncoding? = nil) {
        self.defaultFormat = defaultFormat
        self.encoding = encoding
        self.capacityMicroseconds = max(1, capacityMilliseconds * 1000)
    }

    private static func microseconds(_ frame: AudioFrame) -> Int { frame.frameCount * 1_000_000 / max(1, frame.sampleRate) }

    /// Adds audio from a socket. Returns false once the node has ended (the socket should close).
    @discardableResult
    public func push(_ frame: AudioFrame) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.frames.append(frame)
            state.heldMicroseconds += Self.microseconds(frame)
            while state.heldMicroseconds > capacityMicroseconds, let oldest = (state.frames.isEmpty ? nil : state.frames.removeFirst()) {
                state.heldMicroseconds -= Self.microseconds(oldest)
                state.dropped += 1
            }
            return true
        }
    }

    /// The oldest buffered frame, if any.
    func take() -> AudioFrame? {
        state.withLock { state in
            guard let frame = (state.frames.isEmpty ? nil : state.frames.removeFirst()) else { return nil }
            state.heldMicroseconds -= Self.microseconds(frame)
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
