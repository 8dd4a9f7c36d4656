#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Testing

@testable import StreamKitComponentModel

/// Where a call's CPU count starts: a real read of the thread's clock, or the last read carried
/// forward by wall time when it is recent. Carried forward, the start may only be late (the
/// budget under-counts, by less than the window), never early (which would fail a call for CPU
/// it did not use).
struct CallStartTests {
    /// Burns CPU on this thread for about `nanoseconds` of wall time.
    static func spin(_ nanoseconds: UInt64) {
        let until = ThreadCPUClock.monotonicNow() &+ nanoseconds
        while ThreadCPUClock.monotonicNow() < until {}
    }

    @Test func aFirstCallReadsTheClockAndARecentReadIsCarriedForwardNeverEarly() throws {
        let clock = try #require(ThreadCPUClock.currentThreadClock())
        var last: (clock: clockid_t, start: CallStart)?
        let before = ThreadCPUClock.now()
        let first = CallStart.now(clock: clock, last: &last)
        let after = ThreadCPUClock.now()
        #expect(first.cpu >= before && first.cpu <= after, "a first call reads the clock")
        #expect(last?.start.cpu == first.cpu && last?.clock == clock)

        Self.spin(20_000)
        let trueStart = ThreadCPUClock.now()
        let second = CallStart.now(clock: clock, last: &last)
        // On a busy machine this thread may have lost the CPU for longer than the window; then
        // the clock must have been read again instead.
        guard second.wall - first.wall < CallStart.reuseWindow else {
            #expect(last?.start.cpu == second.cpu && second.cpu >= trueStart, "a read older than the window was reused")
            return
        }
        // Carried forward: the remembered read is unchanged, and the start is not before the
        // thread's real CPU time (no over-count) and not more than the window after it.
        #expect(last?.start.cpu == first.cpu, "a read 20 µs old is reused")
        #expect(second.cpu >= trueStart, "carried forward \(second.cpu) is before the real start \(trueStart)")
        #expect(second.cpu - trueStart < CallStart.reuseWindow)
        #expect(second.cpu - first.cpu == second.wall - first.wall)
    }

    @Test func anOldReadOrAnotherThreadsReadIsNotReused() throws {
        let clock = try #require(ThreadCPUClock.currentThreadClock())
        let now = ThreadCPUClock.monotonicNow()
        var last: (clock: clockid_t, start: CallStart)? = (clock, CallStart(cpu: 1, wall: now &- 2 * CallStart.reuseWindow))
        let fresh = CallStart.now(clock: clock, last: &last)
        #expect(fresh.cpu > 1 && last?.start.cpu == fresh.cpu, "a read older than the window is replaced by a real one")

        last = (clock &+ 1, CallStart(cpu: 1, wall: ThreadCPUClock.monotonicNow()))
        let other = CallStart.now(clock: clock, last: &last)
        #expect(other.cpu > 1 && last?.clock == clock, "another thread's read is not used for this one")
    }
}
