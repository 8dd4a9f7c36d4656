#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU time consumed by threads, in nanoseconds.
///
/// The CPU budget is about CPU, not wall time: a thread's own clock does not advance while the
/// thread waits (on a lock, a sleep, backpressure) or while other processes have the core, so a
/// busy machine does not make a guest look slower than it is.
enum ThreadCPUClock {
    /// The calling thread's CPU time.
    static func now() -> UInt64 {
        var spec = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec) == 0 else { return 0 }
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// The clock of the calling thread, which another thread can read with ``now(of:)`` for as
    /// long as this thread exists. `nil` if the system has no per-thread clock to hand out.
    static func currentThreadClock() -> clockid_t? {
        var clock = clockid_t()
        guard pthread_getcpuclockid(pthread_self(), &clock) == 0 else { return nil }
        return clock
    }

    /// CPU time of the thread whose clock `clock` is (from ``currentThreadClock()``).
    static func now(of clock: clockid_t) -> UInt64? {
        var spec = timespec()
        guard clock_gettime(clock, &spec) == 0 else { return nil }
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Wall time on the monotonic clock, for scheduling the watchdog.
    static func monotonicNow() -> UInt64 {
        var spec = timespec()
        guard clock_gettime(CLOCK_MONOTONIC, &spec) == 0 else { return 0 }
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
