#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import WasmKit

/// The CPU time of one host → guest call, readable from the ``CPUWatchdog`` thread, and the
/// means to stop the call when it is over its budget.
///
/// Time is the calling thread's CPU clock from the start of the call to its end. It includes the
/// host functions the guest calls on that thread (lowering, WASI, `send-output`), because the
/// guest caused that work and it is short; it excludes waiting of every kind (a sleep, a lock,
/// backpressure), because a waiting thread's CPU clock does not advance. A thread-CPU-clock read
/// is a system call, so the clock is read at most once when the call starts (``CallStart``) and,
/// when it ends, only if the call took long enough to matter (``usedAtEnd``); pausing the meter
/// around every host function cost several reads per packet.
final class CallMeter: Sendable {
    /// The budget, in nanoseconds of CPU time.
    let budget: UInt64
    private let clock: clockid_t
    /// The thread's CPU clock when the call started.
    private let start: UInt64
    /// The monotonic wall clock when the call started (a vDSO read, no system call).
    let wallStart: UInt64
    private let cutoff: FuelCutoff

    /// Starts counting on the calling thread's `clock` from `start` (see ``CallStart``).
    init(budget: Duration, clock: clockid_t, start: CallStart, store: Store) {
        let (seconds, attoseconds) = budget.components
        self.budget = UInt64(clamping: seconds) &* 1_000_000_000 &+ UInt64(clamping: attoseconds / 1_000_000_000)
        self.clock = clock
        self.start = start.cpu
        self.wallStart = start.wall
        self.cutoff = FuelCutoff(store: store)
    }

    /// CPU time used so far, in nanoseconds. Any thread.
    var used: UInt64 {
        guard let now = ThreadCPUClock.now(of: clock) else { return 0 }
        return now &- min(now, start)
    }

    /// CPU time used so far, in nanoseconds, read on the thread the meter measures (cheaper
    /// than ``used``).
    var usedOnOwnThread: UInt64 {
        let now = ThreadCPUClock.now()
        return now &- min(now, start)
    }

    /// CPU time the call used, read on its own thread as it ends. A call shorter in wall time
    /// than the budget and than ``preciseAbove`` reports its wall time instead: an upper bound
    /// (a thread's CPU time cannot grow faster than wall time) below the budget, so the verdict
    /// is the same, and it costs no system call. Most calls of a plugin that keeps up with
    /// real-time audio are that short.
    var usedAtEnd: UInt64 {
        let wall = ThreadCPUClock.monotonicNow() &- wallStart
        if wall < min(budget, Self.preciseAbove) { return wall }
        return usedOnOwnThread
    }

    /// Wall time from which ``usedAtEnd`` reads the CPU clock.
    static let preciseAbove: UInt64 = 1_000_000

    /// Budget left, in nanoseconds; 0 once it is used up. Any thread.
    var remaining: UInt64 { budget &- min(budget, used) }

    /// Makes the guest trap with out-of-fuel at its next fuel check (every block, loop and call
    /// charges). Only from ``CPUWatchdog``, with the call registered.
    func cutOff() { cutoff.empty() }
}

/// Lets the watchdog thread stop a guest by emptying its store's fuel.
///
/// `@unchecked Sendable`: WasmKit's `Store` is confined to one thread, and this box breaks that
/// on purpose for exactly one operation. ``empty()`` assigns `store.fuel` from the watchdog
/// thread while the guest thread runs. The assignment is two plain stores: the store's
/// "has a budget" flag, which is already `true` during a watched call (the same value is
/// written again), and the fuel cell, an aligned 64-bit word that x86-64 and arm64 write in one
/// piece, so the guest never reads a torn value. The interpreter charges fuel with a
/// read-modify-write of that word, reloaded from memory at every charge (each handler is its
/// own function reached through the dispatch table, so nothing keeps it in a register): the
/// worst case is that the zero lands between the guest's read and its write and is lost. The
/// watchdog therefore repeats the cut-off every tick until the call ends, and a later one lands.
/// Nothing else in the store is touched from the other thread, and only while the call is
/// registered: ``CPUWatchdog`` cuts off and deregisters under the same lock, and the call
/// deregisters before it resets the fuel or returns, so the store (kept alive by this box) is
/// in a watched call whenever this runs.
final class FuelCutoff: @unchecked Sendable {
    private let store: Store

    init(store: Store) { self.store = store }

    func empty() { store.fuel = Fuel(remaining: 0) }
}
