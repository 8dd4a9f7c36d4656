import StreamKitCore
import StreamKitScheduling
import Synchronization

/// The receiving side of a node: one bounded queue per input pin plus a control queue,
/// read by a single consumer (the node's task) and written by any number of producers.
///
/// Why one inbox rather than one channel per pin: a node with several inputs (a mixer)
/// must wait on all of them at once, and Swift has no `select`. The inbox keeps a queue per
/// pin, so backpressure stays per link (a full pin suspends only its own producers), while
/// `next()` takes from the pins round-robin, so no input starves another.
///
/// A producer that finds its pin full suspends with its packet parked in the pin's wait
/// list; the consumer moves the oldest parked packet into the queue as it takes one out
/// and resumes that producer. Nothing is lost and order is kept.
public final class NodeInbox: NodeInputSource {
    /// The outcome of offering a packet.
    public enum SendResult: Sendable, Equatable {
        case delivered
        /// Best-effort only: the pin was full.
        case dropped
        /// The node has finished, the pin is gone, or the sender was cancelled.
        case closed
    }

    private struct ParkedSend {
        var id: UInt64
        var packet: Packet
        var continuation: CheckedContinuation<SendResult, Never>
    }

    private struct PinQueue {
        var name: String
        var capacity: Int
        var buffer = FIFO<Packet>()
        var parked = FIFO<ParkedSend>()
        /// Links currently feeding this pin.
        var writers = 0
        /// Every writer that fed the pin has finished.
        var ended = false
        var endReported = false

        var isDrained: Bool { buffer.isEmpty && parked.isEmpty }
    }

    private enum Ready {
        case event(NodeInput)
        case end
        case nothing
    }

    private struct State {
        var pins: [PinQueue] = []
        var controls = FIFO<ParamsUpdate>()
        var receiver: CheckedContinuation<NodeInput?, Never>?
        var receiverSkipping: Set<String> = []
        var receiverGeneration: UInt64 = 0
        var nextPin = 0
        var nextSendID: UInt64 = 0
        var closed = false
        var shutdown = false
        /// Oneshot inboxes end as soon as every pin has ended, even with no pins at all;
        /// dynamic ones wait while there are no pins, since links may still be made.
        var endsWithNoPins: Bool

        /// Chooses what the consumer gets next. Parked producers whose packets move into a
        /// queue are returned so they can be resumed outside the lock.
        mutating func takeReady(skipping: Set<String>, resumed: inout [CheckedContinuation<SendResult, Never>]) -> Ready {
            if shutdown || closed { return .end }
            if let update = controls.pop() { return .event(.paramsUpdate(update)) }
            let count = pins.count
            if count > 0 {
                for offset in 0..<count {
                    let index = (nextPin + offset) % count
                    if skipping.contains(pins[index].name) { continue }
                    guard let packet = pins[index].buffer.pop() else { continue }
                    if let parked = pins[index].parked.pop() {
                        pins[index].buffer.push(parked.packet)
                        resumed.append(parked.continuation)
                    }
                    nextPin = index + 1
                    return .event(.packet(pin: pins[index].name, packet))
                }
                for index in 0..<count where pins[index].ended && !pins[index].endReported && pins[index].isDrained {
                    pins[index].endReported = true
                    return .event(.inputClosed(pin: pins[index].name))
                }
            }
            let allEnded = pins.allSatisfy { $0.ended && $0.endReported }
            if allEnded && (count > 0 || endsWithNoPins) { return .end }
            return .nothing
        }

        /// What offering a packet to a pin found.
        enum Offer {
            /// The consumer was waiting for this pin with nothing ahead: hand the packet straight to it.
            case handOff(CheckedContinuation<NodeInput?, Never>)
            /// The packet is queued.
            case queued
            /// The pin is full (or producers are parked on it, who go first).
            case full
        }

        /// Offers `packet` to the pin at `index`: straight to a consumer waiting on it when
        /// nothing is queued ahead, else into the queue when there is room. Nothing overtakes
        /// queued or parked packets, so order is kept.
        mutating func offer(_ packet: Packet, at index: Int) -> Offer {
            if let receiver, !receiverSkipping.contains(pins[index].name), pins[index].isDrained, controls.isEmpty {
                self.receiver = nil
                return .handOff(receiver)
            }
            guard pins[index].buffer.count < pins[index].capacity, pins[index].parked.isEmpty else { return .full }
            pins[index].buffer.push(packet)
            return .queued
        }

        /// If the consumer is waiting and something is ready, hands the consumer back with its result.
        mutating func wakeReceiver(resumed: inout [CheckedContinuation<SendResult, Never>]) -> (CheckedContinuation<NodeInput?, Never>, NodeInput?)? {
            guard let receiver else { return nil }
            switch takeReady(skipping: receiverSkipping, resumed: &resumed) {
            case .nothing: return nil
            case .end:
                self.receiver = nil
                return (receiver, nil)
            case .event(let event):
                self.receiver = nil
                return (receiver, event)
            }
        }
    }

    private let state: Mutex<State>

    /// - Parameter endsWithNoPins: whether `next()` ends at once when the node has no input pins
    ///   (true for oneshot runs, where the graph is fixed).
    public init(endsWithNoPins: Bool) {
        state = Mutex(State(endsWithNoPins: endsWithNoPins))
    }

    // MARK: Pins

    /// Adds an input pin with room for `capacity` queued packets. Adding an existing pin does nothing.
    public func addPin(_ name: String, capacity: Int) {
        state.withLock { state in
            guard !state.pins.contains(where: { $0.name == name }) else { return }
            state.pins.append(PinQueue(name: name, capacity: max(1, capacity)))
        }
    }

    /// Whether the inbox has a pin of that name.
    public func hasPin(_ name: String) -> Bool {
        state.withLock { state in state.pins.contains { $0.name == name } }
    }

    /// Names of the pins, in the order they were added.
    public var pinNames: [String] {
        state.withLock { state in state.pins.map(\.name) }
    }

    /// Records a new link into `pin` (reopening it if it had ended).
    public func addWriter(to pin: String) {
        state.withLock { state in
            guard let index = state.pins.firstIndex(where: { $0.name == pin }) else { return }
            state.pins[index].writers += 1
            state.pins[index].ended = false
            state.pins[index].endReported = false
        }
    }

    /// A link into `pin` was removed by the user (not end of stream: the pin stays open).
    public func removeWriter(from pin: String) {
        state.withLock { state in
            guard let index = state.pins.firstIndex(where: { $0.name == pin }) else { return }
            state.pins[index].writers = max(0, state.pins[index].writers - 1)
        }
    }

    /// A link into `pin` reached end of stream. When it was the last, the pin ends.
    public func writerFinished(on pin: String) {
        finishWriters(on: pin, all: false)
    }

    /// Ends `pin` now, whatever feeds it (used for pins that nothing feeds in a oneshot run).
    public func endPin(_ pin: String) {
        finishWriters(on: pin, all: true)
    }

    private func finishWriters(on pin: String, all: Bool) {
        var resumed: [CheckedContinuation<SendResult, Never>] = []
        let wake = state.withLock { state -> (CheckedContinuation<NodeInput?, Never>, NodeInput?)? in
            guard let index = state.pins.firstIndex(where: { $0.name == pin }) else { return nil }
            state.pins[index].writers = all ? 0 : max(0, state.pins[index].writers - 1)
            if state.pins[index].writers == 0 { state.pins[index].ended = true }
            return state.wakeReceiver(resumed: &resumed)
        }
        for continuation in resumed { continuation.resume(returning: .delivered) }
        if let (receiver, event) = wake { receiver.resume(returning: event) }
    }

    // MARK: Producers

    /// Offers a packet without waiting: best-effort links use this.
    public func trySend(_ packet: Packet, to pin: String) -> SendResult {
        let (result, wake) = state.withLock { state -> (SendResult, CheckedContinuation<NodeInput?, Never>?) in
            if state.closed { return (.closed, nil) }
            guard let index = state.pins.firstIndex(where: { $0.name == pin }) else { return (.closed, nil) }
            switch state.offer(packet, at: index) {
            case .handOff(let receiver): return (.delivered, receiver)
            case .queued: return (.delivered, nil)
            case .full: return (.dropped, nil)
            }
        }
        wake?.resume(returning: .packet(pin: pin, packet))
        return result
    }

    /// Offers a packet, waiting while the pin is full (backpressure). Returns `.closed` when the
    /// node has finished, the pin is gone, or the calling task is cancelled.
    public func send(_ packet: Packet, to pin: String) async -> SendResult {
        enum FastPath {
            case done(SendResult)
            case handOff(CheckedContinuation<NodeInput?, Never>)
            case mustWait(UInt64)
        }
        let fast = state.withLock { state -> FastPath in
            if state.closed { return .done(.closed) }
            guard let index = state.pins.firstIndex(where: { $0.name == pin }) else { return .done(.closed) }
            switch state.offer(packet, at: index) {
            case .handOff(let receiver): return .handOff(receiver)
            case .queued: return .done(.delivered)
            case .full:
                state.nextSendID &+= 1
                return .mustWait(state.nextSendID)
            }
        }
        switch fast {
        case .done(let result):
            return result
        case .handOff(let receiver):
            receiver.resume(returning: .packet(pin: pin, packet))
            return .delivered
        case .mustWait(let id):
            return await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<SendResult, Never>) in
                    park(packet, pin: pin, id: id, continuation: continuation)
                }
            } onCancel: {
                cancelParked(id: id)
            }
        }
    }

    private func park(_ packet: Packet, pin: String, id: UInt64, continuation: CheckedContinuation<SendResult, Never>) {
        enum Outcome {
            case resume(SendResult)
            case handOff(CheckedContinuation<NodeInput?, Never>)
            case parked
        }
        let outcome = state.withLock { state -> Outcome in
            if state.closed || Task.isCancelled { return .resume(.closed) }
            guard let index = state.pins.firstIndex(where: { $0.name == pin }) else { return .resume(.closed) }
            // Room may have appeared since the fast path looked.
            switch state.offer(packet, at: index) {
            case .handOff(let receiver): return .handOff(receiver)
            case .queued: return .resume(.delivered)
            case .full:
                state.pins[index].parked.push(ParkedSend(id: id, packet: packet, continuation: continuation))
                return .parked
            }
        }
        switch outcome {
        case .resume(let result): continuation.resume(returning: result)
        case .handOff(let receiver):
            receiver.resume(returning: .packet(pin: pin, packet))
            continuation.resume(returning: .delivered)
        case .parked: break
        }
    }

    private func cancelParked(id: UInt64) {
        let cancelled = state.withLock { state -> [ParkedSend] in
            var removed: [ParkedSend] = []
            for index in state.pins.indices {
                removed += state.pins[index].parked.remove { $0.id == id }
            }
            return removed
        }
        for parked in cancelled { parked.continuation.resume(returning: .closed) }
    }

    // MARK: Control

    /// Queues a parameter update; it overtakes queued packets.
    public func deliver(_ update: ParamsUpdate) -> Bool {
        var resumed: [CheckedContinuation<SendResult, Never>] = []
        let (accepted, wake) = state.withLock { state -> (Bool, (CheckedContinuation<NodeInput?, Never>, NodeInput?)?) in
            guard !state.closed else { return (false, nil) }
            state.controls.push(update)
            return (true, state.wakeReceiver(resumed: &resumed))
        }
        for continuation in resumed { continuation.resume(returning: .delivered) }
        if let (receiver, event) = wake { receiver.resume(returning: event) }
        return accepted
    }

    /// Pending parameter updates, taken without waiting (for source nodes, which do not call `next()`).
    public func takeParamsUpdate() -> ParamsUpdate? {
        state.withLock { state in state.controls.pop() }
    }

    /// Asks the node to stop: `next()` returns nil from now on.
    public func requestShutdown() {
        let wake = state.withLock { state -> CheckedContinuation<NodeInput?, Never>? in
            state.shutdown = true
            defer { state.receiver = nil }
            return state.receiver
        }
        wake?.resume(returning: nil)
    }

    /// Whether a shutdown was requested.
    public var isShutdownRequested: Bool {
        state.withLock { $0.shutdown }
    }

    /// The node has finished: every parked and future producer gets `.closed`, queued packets are dropped.
    /// Returns how many queued packets were dropped.
    @discardableResult
    public func close() -> Int {
        let (parked, dropped, receiver, updates) = state.withLock { state -> ([ParkedSend], Int, CheckedContinuation<NodeInput?, Never>?, [ParamsUpdate]) in
            state.closed = true
            var parked: [ParkedSend] = []
            var dropped = 0
            for index in state.pins.indices {
                dropped += state.pins[index].buffer.count
                _ = state.pins[index].buffer.removeAll()
                parked += state.pins[index].parked.removeAll()
            }
            let receiver = state.receiver
            state.receiver = nil
            return (parked, dropped + parked.count, receiver, state.controls.removeAll())
        }
        for item in parked { item.continuation.resume(returning: .closed) }
        receiver?.resume(returning: nil)
        for update in updates { update.reject("node has stopped") }
        return dropped
    }

    // MARK: Consumer

    /// The next input: a packet, an ended pin, a parameter update, or `.timeout`. Nil once every
    /// pin has ended (and each end was reported), on shutdown, or when the task is cancelled.
    ///
    /// - Parameters:
    ///   - skipping: pins not to take packets from now; their producers wait (a mixer uses this
    ///     to hold back an input that is ahead of the others).
    ///   - timeout: how long to wait before returning `.timeout`.
    public func next(skipping: Set<String> = [], timeout: Duration? = nil) async -> NodeInput? {
        var resumed: [CheckedContinuation<SendResult, Never>] = []
        let ready = state.withLock { state in state.takeReady(skipping: skipping, resumed: &resumed) }
        for continuation in resumed { continuation.resume(returning: .delivered) }
        switch ready {
        case .event(let event): return event
        case .end: return nil
        case .nothing: break
        }
        if Task.isCancelled { return nil }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<NodeInput?, Never>) in
                wait(continuation, skipping: skipping, timeout: timeout)
            }
        } onCancel: {
            let receiver = state.withLock { state -> CheckedContinuation<NodeInput?, Never>? in
                defer { state.receiver = nil }
                return state.receiver
            }
            receiver?.resume(returning: nil)
        }
    }

    /// The next input if one is ready now, without waiting; nil when nothing is ready (or the
    /// inbox has ended: the following `next()` says which). Nodes that work in batches use it to
    /// take what is already queued after a `next()`.
    public func nextIfReady() -> NodeInput? {
        var resumed: [CheckedContinuation<SendResult, Never>] = []
        let ready = state.withLock { state in state.takeReady(skipping: [], resumed: &resumed) }
        for continuation in resumed { continuation.resume(returning: .delivered) }
        switch ready {
        case .event(let event):
            return event
        case .end, .nothing:
            return nil
        }
    }

    private func wait(_ continuation: CheckedContinuation<NodeInput?, Never>, skipping: Set<String>, timeout: Duration?) {
        var resumed: [CheckedContinuation<SendResult, Never>] = []
        let (ready, generation) = state.withLock { state -> (Ready, UInt64) in
            if Task.isCancelled { return (.end, 0) }
            let ready = state.takeReady(skipping: skipping, resumed: &resumed)
            if case .nothing = ready {
                state.receiver = continuation
                state.receiverSkipping = skipping
                state.receiverGeneration &+= 1
            }
            return (ready, state.receiverGeneration)
        }
        for item in resumed { item.resume(returning: .delivered) }
        switch ready {
        case .event(let event): continuation.resume(returning: event)
        case .end: continuation.resume(returning: nil)
        case .nothing:
            if let timeout {
                Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    self?.fireTimeout(generation: generation)
                }
            }
        }
    }

    private func fireTimeout(generation: UInt64) {
        let receiver = state.withLock { state -> CheckedContinuation<NodeInput?, Never>? in
            guard state.receiverGeneration == generation, let receiver = state.receiver else { return nil }
            state.receiver = nil
            return receiver
        }
        receiver?.resume(returning: .timeout)
    }

    /// Whether the consumer is waiting in `next()` right now.
    public var isConsumerWaiting: Bool {
        state.withLock { $0.receiver != nil }
    }

    /// Packets queued or parked on each pin (for diagnostics and tests).
    public var queuedCounts: [String: Int] {
        state.withLock { state in
            Dictionary(state.pins.map { ($0.name, $0.buffer.count + $0.parked.count) }, uniquingKeysWith: +)
        }
    }
}
