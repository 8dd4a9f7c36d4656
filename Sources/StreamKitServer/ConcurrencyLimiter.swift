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
    private func tryAcquire() -> Bool {
        active.withLock { active in
            if let limit, active >= limit { return false }
            active += 1
            return true
        }
    }

    /// Takes a slot that gives itself back: by ``Slot/release()``, or else when its last reference
    /// goes, whichever way the request that holds it ends. Nil when all slots are in use.
    public func acquire() -> Slot? {
        tryAcquire() ? Slot(limiter: self) : nil
    }

    /// Only a ``Slot`` gives a slot back, so none is released twice or forgotten.
    private func release() {
        active.withLock { $0 = max(0, $0 - 1) }
    }

    public var inUse: Int { active.withLock { $0 } }

    /// One taken slot, released exactly once.
    public final class Slot: Sendable {
        private let limiter: ConcurrencyLimiter
        private let released = Atomic(false)

        fileprivate init(limiter: ConcurrencyLimiter) {
            self.limiter = limiter
        }

        /// Gives the slot back (later calls do nothing).
        public func release() {
            if !released.exchange(true, ordering: .acquiringAndReleasing) { limiter.release() }
        }

        deinit { release() }
    }
}
