/// A first-in first-out queue with amortised O(1) push and pop: the engine's channels and the
/// pacing nodes queue packets in it.
///
/// Written here rather than taken from swift-collections so that the modules below the engine stay
/// free of dependencies; it needs only push, pop and count.
///
/// Its methods are inlinable so that the engine's packet queues, in another module, get a
/// specialised copy instead of generic calls on the hot path.
public struct FIFO<Element> {
    @usableFromInline var storage: [Element?] = []
    @usableFromInline var head = 0

    /// An empty queue.
    @inlinable public init() {}

    /// How many elements are queued.
    @inlinable public var count: Int { storage.count - head }
    /// Whether nothing is queued.
    @inlinable public var isEmpty: Bool { head == storage.count }

    /// Adds `element` at the back.
    @inlinable public mutating func push(_ element: Element) {
        storage.append(element)
    }

    /// Removes and returns the front element; nil when empty.
    @inlinable public mutating func pop() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head]
        storage[head] = nil
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 32, head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }

    /// The front element, without removing it.
    @inlinable public var first: Element? { head < storage.count ? storage[head] : nil }

    /// Removes and returns every element matching `predicate`, keeping the order of the rest.
    @inlinable public mutating func remove(where predicate: (Element) -> Bool) -> [Element] {
        var removed: [Element] = []
        var kept: [Element?] = []
        kept.reserveCapacity(count)
        for index in head..<storage.count {
            guard let element = storage[index] else { continue }
            if predicate(element) { removed.append(element) } else { kept.append(element) }
        }
        storage = kept
        head = 0
        return removed
    }

    /// Removes and returns every element, in order.
    @inlinable public mutating func removeAll() -> [Element] {
        remove { _ in true }
    }
}

extension FIFO: Sendable where Element: Sendable {}
