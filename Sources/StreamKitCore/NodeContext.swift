import Foundation
import StreamKitScheduling
import Synchronization

/// Everything a running node talks to: its inputs, its outputs, its state, its counters and
/// the telemetry bus. The engine makes one per node run; the node uses it from its own task.
public final class NodeContext: Sendable {
    /// The node's name inside its pipeline.
    public let nodeID: String
    /// The node's kind, e.g. `audio::gain`.
    public let kind: String
    /// The dynamic session the node runs in, if any.
    public let sessionID: String?
    public let mode: PipelineMode
    /// How many queued packets a node may take in one go when it works in batches.
    public let batchSize: Int
    /// A serial queue of this node's own for blocking work.
    public let blocking: BlockingQueue

    package let inbox: any NodeInputSource
    package let outputs: [String: any NodeOutputDestination]
    private let sink: NodeEventSink
    private let startedAt: ContinuousClock.Instant
    private let currentState: Mutex<NodeState>
    private let counters = Counters()
    private let telemetryLimiter: Mutex<TelemetryLimiter>
    private let maxTelemetryPerSecond: Int

    private final class Counters: Sendable {
        let received = Atomic<UInt64>(0)
        let sent = Atomic<UInt64>(0)
        let discarded = Atomic<UInt64>(0)
        let errored = Atomic<UInt64>(0)
    }

    package init(
        nodeID: String, kind: String, sessionID: String?, mode: PipelineMode, batchSize: Int,
        inbox: any NodeInputSource, outputs: [String: any NodeOutputDestination], sink: NodeEventSink, maxTelemetryPerSecond: Int = 100
    ) {
        self.nodeID = nodeID
        self.kind = kind
        self.sessionID = sessionID
        self.mode = mode
        self.batchSize = max(1, batchSize)
        self.inbox = inbox
        self.outputs = outputs
        self.sink = sink
        self.blocking = BlockingQueue(label: "streamkit.node.\(nodeID)")
        self.startedAt = .now
        self.currentState = Mutex(.initializing)
        self.telemetryLimiter = Mutex(TelemetryLimiter())
        self.maxTelemetryPerSecond = maxTelemetryPerSecond
    }

    // MARK: Inputs

    /// The next input (see `NodeInputSource.next`). Nil when every input has ended or the node must stop.
    public func next(skipping: Set<String> = [], timeout: Duration? = nil) async -> NodeInput? {
        let input = await inbox.next(skipping: skipping, timeout: timeout)
        if case .packet = input { counters.received.add(1, ordering: .relaxed) }
        return input
    }

    /// The next input if one is queued now, without waiting (see `NodeInputSource.nextIfReady`).
    /// Batch workers call it after `next()` to take up to `batchSize` packets in one go.
    public func nextIfReady() -> NodeInput? {
        let input = inbox.nextIfReady()
        if case .packet = input { counters.received.add(1, ordering: .relaxed) }
        return input
    }

    /// A pending parameter update, without waiting. Source nodes (which never call `next()`)
    /// poll this between the packets they make.
    public func pollParamsUpdate() -> ParamsUpdate? {
        inbox.takeParamsUpdate()
    }

    /// Names of the node's input pins as wired by the engine.
    public var inputPinNames: [String] { inbox.pinNames }

    /// Whether the engine asked the node to stop.
    public var isShutdownRequested: Bool { inbox.isShutdownRequested }

    // MARK: Outputs

    /// Sends a packet to every link of output `pin`, waiting on reliable links that are full.
    ///
    /// A packet for a pin with no links is discarded (and counted). Throws `NodeStopRequested`
    /// when the node must stop: shutdown was requested, the task was cancelled, or (in a oneshot
    /// run) every consumer of this pin has gone away.
    public func send(_ packet: Packet, to pin: String = "out") async throws {
        guard let port = outputs[pin] else {
            counters.discarded.add(1, ordering: .relaxed)
            throw StreamKitError.runtime("node '\(nodeID)' (\(kind)) has no output pin '\(pin)'")
        }
        if inbox.isShutdownRequested { throw NodeStopRequested(reason: .shutdown) }
        let delivery = await port.deliver(packet)
        if delivery.links == 0 {
            counters.discarded.add(1, ordering: .relaxed)
            return
        }
        if delivery.dropped > 0 { counters.discarded.add(UInt64(delivery.dropped), ordering: .relaxed) }
        counters.sent.add(1, ordering: .relaxed)
        if Task.isCancelled { throw NodeStopRequested(reason: .shutdown) }
        if inbox.isShutdownRequested { throw NodeStopRequested(reason: .shutdown) }
        if delivery.open == 0 && mode == .oneshot { throw NodeStopRequested(reason: .outputClosed) }
    }

    /// Whether output `pin` currently has any link.
    public func isConnected(output pin: String) -> Bool {
        outputs[pin]?.isConnected ?? false
    }

    // MARK: State and counters

    /// Reports a new state (once per change).
    public func setState(_ state: NodeState) {
        let changed = currentState.withLock { current -> Bool in
            guard current != state else { return false }
            current = state
            return true
        }
        if changed { sink.stateChanged(nodeID, state) }
    }

    /// The last state reported.
    public var state: NodeState { currentState.withLock { $0 } }

    /// Counts packets dropped on purpose.
    public func countDiscarded(_ count: Int = 1) {
        counters.discarded.add(UInt64(max(0, count)), ordering: .relaxed)
    }

    /// Counts packets or operations that failed.
    public func countErrored(_ count: Int = 1) {
        counters.errored.add(UInt64(max(0, count)), ordering: .relaxed)
    }

    /// The counters now.
    public var stats: NodeStats {
        NodeStats(
            received: counters.received.load(ordering: .relaxed),
            sent: counters.sent.load(ordering: .relaxed),
            discarded: counters.discarded.load(ordering: .relaxed),
            errored: counters.errored.load(ordering: .relaxed),
            durationSeconds: Double((ContinuousClock.now - startedAt).components.seconds)
                + Double((ContinuousClock.now - startedAt).components.attoseconds) / 1e18
        )
    }

    // MARK: Telemetry

    /// Publishes a telemetry event without ever waiting. Returns false when it was dropped
    /// (more than `maxTelemetryPerSecond` of this event type in the current second, or the bus
    /// is full); drops are counted and reported in a `telemetry.health` event once the bus has room.
    /// `timestampUs` stamps the event (µs since the Unix epoch); the current time when nil.
    @discardableResult
    public func emitTelemetry(_ eventType: String, data: JSONObject = [:], correlationID: String? = nil, timestampUs: UInt64? = nil) -> Bool {
        let wallClockUs = UInt64(max(0, Date().timeIntervalSince1970 * 1_000_000))
        let nowUs = timestampUs ?? wallClockUs
        let allowed = telemetryLimiter.withLock { limiter in
            limiter.admit(eventType, nowUs: wallClockUs, limit: maxTelemetryPerSecond)
        }
        guard allowed else { return false }
        var body = data
        body["event_type"] = .string(eventType)
        if let correlationID { body["correlation_id"] = .string(correlationID) }
        let event = TelemetryEvent(sessionID: sessionID, nodeID: nodeID, eventType: eventType, data: .object(body), timestampUs: nowUs)
        guard sink.telemetry(event) else {
            telemetryLimiter.withLock { $0.droppedFull += 1 }
            return false
        }
        reportTelemetryDrops(nowUs: nowUs)
        return true
    }

    private func reportTelemetryDrops(nowUs: UInt64) {
        let (full, limited) = telemetryLimiter.withLock { limiter -> (Int, Int) in
            defer { limiter.droppedFull = 0; limiter.droppedRateLimited = 0 }
            return (limiter.droppedFull, limiter.droppedRateLimited)
        }
        guard full + limited > 0 else { return }
        let data: JSONValue = [
            "event_type": "telemetry.health",
            "dropped_due_to_full": .number(Double(full)),
            "dropped_due_to_rate_limit": .number(Double(limited)),
        ]
        let event = TelemetryEvent(sessionID: sessionID, nodeID: nodeID, eventType: "telemetry.health", data: data, timestampUs: nowUs)
        if !sink.telemetry(event) {
            telemetryLimiter.withLock { $0.droppedFull += full; $0.droppedRateLimited += limited }
        }
    }

    /// Telemetry events dropped so far and not yet reported: (bus full, rate limited).
    public var pendingTelemetryDrops: (full: Int, rateLimited: Int) {
        telemetryLimiter.withLock { ($0.droppedFull, $0.droppedRateLimited) }
    }
}

/// Fixed one-second windows per event type.
struct TelemetryLimiter {
    var windows: [String: (start: UInt64, count: Int)] = [:]
    var droppedFull = 0
    var droppedRateLimited = 0

    mutating func admit(_ eventType: String, nowUs: UInt64, limit: Int) -> Bool {
        var window = windows[eventType] ?? (start: nowUs, count: 0)
        if nowUs &- window.start >= 1_000_000 || nowUs < window.start { window = (start: nowUs, count: 0) }
        guard window.count < limit else {
            droppedRateLimited += 1
            windows[eventType] = window
            return false
        }
        window.count += 1
        windows[eventType] = window
        return true
    }
}
