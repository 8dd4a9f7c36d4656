import StreamKitCore
import Synchronization

/// Where `transport::websocket::input` and `::output` nodes meet the server's media sockets
/// (`GET /api/v1/sessions/{id}/media/{node}`, upgraded to WebSocket).
///
/// A node registers its endpoint under (session id, node id) when it starts and removes it when
/// it ends; the server looks the endpoint up when a socket connects. Nodes and sockets never
/// hold each other: each side only talks to the endpoint, so either may come and go.
public final class MediaEndpoints: Sendable {
    /// The endpoints of this process (sessions are process-wide, so are their sockets).
    public static let shared = MediaEndpoints()

    private let inputs = Mutex<[String: MediaInputEndpoint]>([:])
    private let outputs = Mutex<[String: MediaOutputEndpoint]>([:])

    public init() {}

    static func key(session: String, node: String) -> String { session + "\u{0}" + node }

    /// The input endpoint of a running `transport::websocket::input` node.
    public func input(session: String, node: String) -> MediaInputEndpoint? {
        inputs.withLock { $0[Self.key(session: session, node: node)] }
    }

    /// The output endpoint of a running `transport::websocket::output` node.
    public func output(session: String, node: String) -> MediaOutputEndpoint? {
        outputs.withLock { $0[Self.key(session: session, node: node)] }
    }

    func register(_ endpoint: MediaInputEndpoint, session: String, node: String) {
        inputs.withLock { $0[Self.key(session: session, node: node)] = endpoint }
    }

    func register(_ endpoint: MediaOutputEndpoint, session: String, node: String) {
        outputs.withLock { $0[Self.key(session: session, node: node)] = endpoint }
    }

    /// Removes an endpoint, only if it is still the one registered (a replaced node keeps its new one).
    func remove(_ endpoint: MediaInputEndpoint, session: String, node: String) {
        inputs.withLock { if $0[Self.key(session: session, node: node)] === endpoint { $0[Self.key(session: session, node: node)] = nil } }
        endpoint.close()
    }

    func remove(_ endpoint: MediaOutputEndpoint, session: String, node: String) {
        outputs.withLock { if $0[Self.key(session: session, node: node)] === endpoint { $0[Self.key(session: session, node: node)] = nil } }
        endpoint.close()
    }
}

/// The PCM layout on a media socket: interleaved little-endian samples.
public struct PCMFormat: Sendable, Equatable {
    public enum SampleFormat: String, Sendable {
        case f32le, s16le
        var bytesPerSample: Int { self == .f32le ? 4 : 2 }
    }

    public var sampleRate: Int
    public var channels: Int
    public var sampleFormat: SampleFormat

    public init(sampleRate: Int, channels: Int, sampleFormat: SampleFormat = .f32le) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.sampleFormat = sampleFormat
    }

    /// The announcement a socket sends first: `{"type":"format","sample_rate":…,"channels":…,"sample_format":"f32le"}`.
    public var json: JSONValue {
        ["type": "format", "sample_rate": .number(Double(sampleRate)), "channels": .number(Double(channels)), "sample_format": .string(sampleFormat.rawValue)]
    }

    /// Reads an announcement; missing fields keep the values of `base`. Nil when it makes no sense.
    public static func parse(_ json: JSONValue, base: PCMFormat) -> PCMFormat? {
        var format = base
        if let rate = json["sample_rate"]?.intValue { format.sampleRate = rate }
        if let channels = json["channels"]?.intValue { format.channels = channels }
        if let name = json["sample_format"]?.stringValue {
            guard let sampleFormat = SampleFormat(rawValue: name) else { return nil }
            format.sampleFormat = sampleFormat
        }
        guard (1_000...384_000).contains(format.sampleRate), (1...8).contains(format.channels) else { return nil }
        return format
    }

    /// Decodes one binary message into float samples (a trailing partial sample is ignored).
    public func decode(_ bytes: some Collection<UInt8>) -> [Float] {
        let width = sampleFormat.bytesPerSample
        let count = bytes.count / width
        var samples = [Float](repeating: 0, count: count)
        var index = bytes.startIndex
        for i in 0..<count {
            var bits: UInt32 = 0
            for b in 0..<width {
                bits |= UInt32(bytes[index]) << (8 * UInt32(b))
                index = bytes.index(after: index)
            }
            samples[i] = sampleFormat == .f32le ? Float(bitPattern: bits) : Float(Int16(truncatingIfNeeded: bits)) / 32768
        }
        return samples
    }

    /// Encodes float samples for a binary message.
    public func encode(_ samples: [Float]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(samples.count * sampleFormat.bytesPerSample)
        for sample in samples {
            switch sampleFormat {
            case .f32le:
                let bits = sample.bitPattern
                bytes += [UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8), UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 24)]
            case .s16le:
                let value = Int16(max(-32768, min(32767, (sample * 32768).rounded())))
                let bits = UInt16(bitPattern: value)
                bytes += [UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8)]
            }
        }
        return bytes
    }
}

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

    private struct State {
        // A few dozen frames at most (the capacity bounds it), so removing from the front is cheap.
        var frames: [AudioFrame] = []
        var heldFrames = 0
        var dropped = 0
        var closed = false
    }

    private let state = Mutex(State())

    init(defaultFormat: PCMFormat, capacityFrames: Int) {
        self.defaultFormat = defaultFormat
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
