import StreamKitCore
import Synchronization

/// Fans events out to any number of subscribers without ever waiting on one.
///
/// Each subscriber has a bounded queue; when a slow subscriber's queue is full its oldest
/// events are dropped, and the next thing it reads is how many it lost. Publishing never
/// blocks, so a slow client can never stall a session.
public final class EventBroadcaster<Event: Sendable>: Sendable {
    private let subscribers = Mutex<[UInt64: Subscriber]>([:])
    private let nextID = Atomic<UInt64>(0)
    private let capacity: Int

    public init(subscriberCapacity: Int) {
        capacity = max(1, subscriberCapacity)
    }

    /// Offers an event to every subscriber. Returns false when at least one had to drop an event to take it.
    @discardableResult
    public func publish(_ event: Event) -> Bool {
        let current = subscribers.withLock { Array($0.values) }
        var noDrops = true
        for subscriber in current where !subscriber.push(event) { noDrops = false }
        return noDrops
    }

    /// A new subscription that sees every event published from now on.
    public func subscribe() -> EventSubscription<Event> {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        let subscriber = Subscriber(capacity: capacity)
        subscribers.withLock { $0[id] = subscriber }
        return EventSubscription(subscriber: subscriber) { [weak self] in
            self?.subscribers.withLock { _ = $0.removeValue(forKey: id) }
        }
    }

    /// Ends every subscription (their iteration finishes once their queues are read).
    public func finish() {
        let all = subscribers.withLock { subscribers in
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for subscriber in all { subscriber.finish() }
    }

    public var subscriberCount: Int { subscribers.withLock { $0.count } }

    final class Subscriber: Sendable {
        private struct State {
            var queue = FIFOQueue<Event>()
            var dropped = 0
            var finished = false
            var waiter: CheckedContinuation<SubscriptionItem<Event>?, Never>?
        }
        private let state = Mutex(State())
        private let capacity: Int

        init(capacity: Int) { self.capacity = capacity }

        /// Returns false when an old event had to be dropped.
        func push(_ event: Event) -> Bool {
            var droppedOne = false
            let waiter = state.withLock { state -> CheckedContinuation<SubscriptionItem<Event>?, Never>? in
                guard !state.finished else { return nil }
                if let waiter = state.waiter {
                    state.waiter = nil
                    return waiter
                }
                if state.queue.count >= capacity {
                    _ = state.queue.pop()
                    state.dropped += 1
                    droppedOne = true
                }
                state.queue.push(event)
                return nil
            }
            waiter?.resume(returning: .event(event))
            return !droppedOne
        }

        func finish() {
            let waiter = state.withLock { state -> CheckedContinuation<SubscriptionItem<Event>?, Never>? in
                state.finished = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }

        func next() async -> SubscriptionItem<Event>? {
            if let ready = takeReady() { return ready.item }
            return await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let ready = state.withLock { state -> Ready? in
                        if let item = take(&state) { return item }
                        if Task.isCancelled { return Ready(item: nil) }
                        state.waiter = continuation
                        return nil
                    }
                    if let ready { continuation.resume(returning: ready.item) }
                }
            } onCancel: {
                finish()
            }
        }

        private struct Ready { var item: SubscriptionItem<Event>? }

        private func takeReady() -> Ready? {
            state.withLock { take(&$0) }
        }

        private func take(_ state: inout State) -> Ready? {
            if state.dropped > 0 {
                defer { state.dropped = 0 }
                return Ready(item: .dropped(state.dropped))
            }
            if let event = state.queue.pop() { return Ready(item: .event(event)) }
            if state.finished { return Ready(item: nil) }
            return nil
        }
    }
}

/// What a subscription yields: an event, or how many events were lost because the subscriber fell behind.
public enum SubscriptionItem<Event: Sendable>: Sendable {
    case event(Event)
    case dropped(Int)
}

/// A subscriber's view of a broadcaster: an async sequence of events (and drop notices).
public final class EventSubscription<Event: Sendable>: AsyncSequence, Sendable {
    public typealias Element = SubscriptionItem<Event>
    private let subscriber: EventBroadcaster<Event>.Subscriber
    private let unsubscribe: @Sendable () -> Void

    init(subscriber: EventBroadcaster<Event>.Subscriber, unsubscribe: @escaping @Sendable () -> Void) {
        self.subscriber = subscriber
        self.unsubscribe = unsubscribe
    }

    deinit { unsubscribe() }

    /// The next item, or nil when the broadcaster finished.
    public func next() async -> SubscriptionItem<Event>? {
        await subscriber.next()
    }

    /// Stops receiving events.
    public func cancel() {
        unsubscribe()
        subscriber.finish()
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let subscription: EventSubscription<Event>
        public mutating func next() async -> SubscriptionItem<Event>? {
            await subscription.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(subscription: self)
    }
}

/// A small FIFO (the engine's own; Core's is internal to Core).
struct FIFOQueue<Element> {
    private var items: [Element] = []
    private var head = 0
    var count: Int { items.count - head }
    mutating func push(_ element: Element) { items.append(element) }
    mutating func pop() -> Element? {
        guard head < items.count else { return nil }
        let element = items[head]
        head += 1
        if head >= 64 && head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return element
    }
}
