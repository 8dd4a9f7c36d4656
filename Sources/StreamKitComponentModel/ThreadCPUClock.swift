#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU time consumed by the calling thread, in nanoseconds.
///
/// The CPU budget is about CPU, not wall time: calibrating against the thread's own clock keeps
/// the fuel rate right on a machine where other processes compete for the cores.
enum ThreadCPUClock {
    static func now() -> UInt64 {
        var spec = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec) == 0 else { return 0 }
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
