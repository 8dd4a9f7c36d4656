#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a call's CPU count starts: the calling thread's CPU clock and the monotonic wall clock.
///
/// A thread-CPU-clock read is a system call (0.6–1.2 µs on a virtual machine), as long as a
/// small plugin's whole call. Calls that follow each other closely on one thread (a oneshot
/// pipeline or a backlog working through queued packets) therefore carry the last real read
/// forward instead: the start is that read plus the wall time since, never less than the true
/// start because CPU time cannot grow faster than wall time. The count then misses at most the
/// time the thread spent off the CPU since the read, which is under ``reuseWindow``; a call
/// more than that after the last read (a real-time stream, a packet every 20 ms) reads the clock.
struct CallStart {
    let cpu: UInt64
    let wall: UInt64

    /// How long a real read stays usable: the most a budget can be under-counted by.
    static let reuseWindow: UInt64 = 100_000

    /// The start of a call on the thread whose clock is `clock`, from `last` (the last real read,
    /// updated when this reads the clock again).
    static func now(clock: clockid_t, last: inout (clock: clockid_t, start: CallStart)?) -> CallStart {
        let wall = ThreadCPUClock.monotonicNow()
        if let previous = last, previous.clock == clock, wall &- previous.start.wall < reuseWindow {
            return CallStart(cpu: previous.start.cpu &+ (wall &- previous.start.wall), wall: wall)
        }
        // The calling thread's own clock (`CLOCK_THREAD_CPUTIME_ID`) reads the same counter as
        // `clock` without the thread lookup other threads' clocks need.
        let start = CallStart(cpu: ThreadCPUClock.now(), wall: wall)
        last = (clock, start)
        return start
    }
}
