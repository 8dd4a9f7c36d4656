/// A first-in first-out queue with amortised O(1) push and pop, used inside the channels.
///
/// Written here rather than taken from swift-collections so that Core stays free of
/// dependencies; it needs only push, pop and count.
struct FIFO<Element> {
    private var storage: [Element?] = []
    private var head = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { head == storage.count }

    mutating func push(_ element: Element) {
        storage.append(element)
    }

    mutating func pop() -> Element? {
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

    var first: Element? { head < storage.count ? storage[head] : nil }

    /// Removes and returns every element matching `predicate`, keeping the order of the rest.
    mutating func remove(where predicate: (Element) -> Bool) -> [Element] {
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

    mutating func removeAll() -> [Element] {
        remove { _ in true }
    }
}
