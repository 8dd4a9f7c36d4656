import Dispatch

/// A serial queue on its own thread pool for work that blocks (file I/O, codecs, plugin calls),
/// so that it never occupies a thread of Swift's cooperative pool.
public final class BlockingQueue: Sendable {
    private let queue: DispatchQueue

    public init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `work` on the queue and returns its result. Calls on one queue run one at a time, in order.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}
