import NIOWebSocket
import Synchronization

/// The bounded queue between a control connection's producers (the request loop and the event
/// pump) and its single writer task.
///
/// Pushing waits while the queue is full, so a client that stops reading only ever slows itself
/// down: its request loop waits for room, and its event pump stops pulling from the server's
/// event broadcaster, whose own bounded queue then drops the oldest events and reports how many
/// (turned into an `eventsdropped` event). Nothing else on the server waits for this client.
///
/// The queue is bounded in messages and in bytes: a client that asks for large answers (`listnodes`,
/// pipelines) and never reads them holds at most ``byteCapacity`` bytes (plus the one message being
/// written), not `capacity` times the largest answer.
final class ControlOutbox: Sendable {
    /// Something for the writer to send.
    enum Item: Sendable, Equatable {
        /// One text message (an encoded envelope).
        case text(String)
        /// A Close frame; the writer stops after sending it.
        case close(code: WebSocketErrorCode, reason: String?)

        /// Bytes the item holds while queued.
        var size: Int {
            switch self {
            case .text(let text): text.utf8.count
            case .close(_, let reason): reason?.utf8.count ?? 0
            }
        }
    }

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var items: [Item] = []
        var head = 0
        /// Bytes of the queued items.
        var bytes = 0
        var finished = false
        var reader: CheckedContinuation<Item?, Never>?
        var pushers: [Waiter] = []
        var nextWaiterID: UInt64 = 0

        var count: Int { items.count - head }

        mutating func pop() -> Item? {
            guard head < items.count else { return nil }
            let item = items[head]
            head += 1
            bytes -= item.size
            if head >= 32, head * 2 >= items.count {
                items.removeFirst(head)
                head = 0
            }
            return item
        }
    }

    private let state = Mutex(State())
    /// Most items queued at once.
    let capacity: Int
    /// Most bytes queued at once; one item larger than this is still queued when the queue is empty.
    let byteCapacity: Int

    init(capacity: Int, byteCapacity: Int = 256 * 1024) {
        self.capacity = max(1, capacity)
        self.byteCapacity = max(1, byteCapacity)
    }

    /// Whether `state` can take `size` more bytes.
    private func hasRoom(_ state: State, for size: Int) -> Bool {
        state.count == 0 || (state.count < capacity && state.bytes + size <= byteCapacity)
    }

    /// Queues `item`, waiting while the queue is full.
    /// - Returns: false when the outbox was finished (or the waiting task cancelled) and the item was not queued.
    @discardableResult
    func push(_ item: Item) async -> Bool {
        if let accepted = tryPush(item) { return accepted }
        // Full: wait for the writer to make room, then try again.
        while true {
            let id = state.withLock { state -> UInt64 in
                state.nextWaiterID += 1
                return state.nextWaiterID
            }
            let proceed = await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                    let immediate = state.withLock { state -> Bool? in
                        if state.finished || Task.isCancelled { return false }
                        if hasRoom(state, for: item.size) { return true }
                        state.pushers.append(Waiter(id: id, continuation: continuation))
                        return nil
                    }
                    if let immediate { continuation.resume(returning: immediate) }
                }
            } onCancel: {
                let waiter = state.withLock { state -> Waiter? in
                    guard let index = state.pushers.firstIndex(where: { $0.id == id }) else { return nil }
                    return state.pushers.remove(at: index)
                }
                waiter?.continuation.resume(returning: false)
            }
            guard proceed else { return false }
            if let accepted = tryPush(item) { return accepted }
        }
    }

    /// Queues `item` when there is room; nil when the queue is full.
    private func tryPush(_ item: Item) -> Bool? {
        let (result, reader) = state.withLock { state -> (Bool?, CheckedContinuation<Item?, Never>?) in
            if state.finished { return (false, nil) }
            if let reader = state.reader {
                state.reader = nil
                return (true, reader)
            }
            guard hasRoom(state, for: item.size) else { return (nil, nil) }
            state.items.append(item)
            state.bytes += item.size
            return (true, nil)
        }
        reader?.resume(returning: item)
        return result
    }

    /// The next item to write, waiting for one; nil once the outbox is finished.
    /// Only the writer task calls this.
    func next() async -> Item? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Item?, Never>) in
                let (ready, pusher) = state.withLock { state -> (Item??, Waiter?) in
                    if let item = state.pop() {
                        let pusher = state.pushers.isEmpty ? nil : state.pushers.removeFirst()
                        return (.some(item), pusher)
                    }
                    if state.finished || Task.isCancelled { return (.some(nil), nil) }
                    state.reader = continuation
                    return (nil, nil)
                }
                pusher?.continuation.resume(returning: true)
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            finish()
        }
    }

    /// Stops the outbox: queued items are discarded, waiting pushers and the writer are released.
    func finish() {
        let (reader, pushers) = state.withLock { state -> (CheckedContinuation<Item?, Never>?, [Waiter]) in
            state.finished = true
            state.items.removeAll()
            state.head = 0
            state.bytes = 0
            defer {
                state.reader = nil
                state.pushers.removeAll()
            }
            return (state.reader, state.pushers)
        }
        reader?.resume(returning: nil)
        for pusher in pushers { pusher.continuation.resume(returning: false) }
    }

    /// Items waiting to be written.
    var count: Int { state.withLock { $0.count } }
}
