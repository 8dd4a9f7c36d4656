import Synchronization

/// Admits at most `limit` concurrent holders; one more is refused at once (the caller answers
/// 503 with `Retry-After`) rather than queued without bound.
public final class ConcurrencyLimiter: Sendable {
    public let limit: Int?
    private let active = Mutex(0)

    public init(limit: Int?) {
        self.limit = limit
    }

    /// Takes a slot; false when all are in use.
    public func tryAcquire() -> Bool {
        active.withLock { active in
            if let limit, active >= limit { return false }
            active += 1
            return true
        }
    }

    public func release() {
        active.withLock { $0 = max(0, $0 - 1) }
    }

    public var inUse: Int { active.withLock { $0 } }
}
