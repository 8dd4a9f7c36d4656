import Foundation

/// One thread for the whole process that stops guests running past their CPU budget.
///
/// WasmKit 0.4.2 has no interrupt API, but its fuel check reads the store's fuel at every
/// block, loop and call: emptying the fuel of a call that is over budget makes the guest trap
/// with out-of-fuel, which ``InstanceState`` reports as the CPU budget. Each call registers its
/// ``CallMeter`` for as long as it runs. The thread sleeps until the earliest moment any
/// registered call could reach its budget — CPU time cannot grow faster than wall time, so that
/// is now plus the budget left — and then checks again. With nothing registered it looks once
/// more after ``idlePoll`` and then sleeps until a call comes: a node calling its plugin every
/// few milliseconds registers calls without waking the thread each time (a new call is due no
/// sooner than the pending look).
final class CPUWatchdog: @unchecked Sendable {
    // @unchecked: `meters`, `wakeAt` and `started` are only touched with `condition` locked.
    static let shared = CPUWatchdog()

    /// How soon to look again at a call that is over budget (its cut-off may have been lost,
    /// see ``FuelCutoff``), and the shortest sleep: it bounds how far past its budget a call
    /// can run, and keeps a call blocked in a host function just short of its budget from
    /// making the watchdog spin.
    static let tick: UInt64 = 1_000_000
    /// How long the thread keeps looking after the last call ended, before it sleeps until woken.
    static let idlePoll: UInt64 = 50_000_000

    private let condition = NSCondition()
    private var meters: [ObjectIdentifier: CallMeter] = [:]
    /// When the thread will next look (monotonic nanoseconds); `.max` while it waits for work.
    private var wakeAt: UInt64 = .max
    private var started = false
    /// Looks in a row that found nothing to watch.
    private var idleLooks = 0

    /// Watches `meter` until ``unwatch(_:)``.
    func watch(_ meter: CallMeter) {
        condition.lock()
        defer { condition.unlock() }
        meters[ObjectIdentifier(meter)] = meter
        if !started {
            started = true
            let thread = Thread { [self] in run() }
            thread.name = "skit-wasm-watch"
            thread.start()
        }
        // A call just starting has its whole budget left (reading its clock again here would
        // cost one more system call per call).
        let due = meter.wallStart &+ max(meter.budget, Self.tick)
        if due < wakeAt {
            wakeAt = due
            condition.signal()
        }
    }

    /// Stops watching `meter`. Once this returns, the watchdog no longer touches the call's store.
    func unwatch(_ meter: CallMeter) {
        condition.lock()
        meters[ObjectIdentifier(meter)] = nil
        condition.unlock()
    }

    private func run() {
        condition.lock()
        while true {
            let now = ThreadCPUClock.monotonicNow()
            var next = UInt64.max
            for meter in meters.values {
                let remaining = meter.remaining
                if remaining == 0 { meter.cutOff() }
                next = min(next, now &+ max(remaining, Self.tick))
            }
            idleLooks = meters.isEmpty ? idleLooks + 1 : 0
            if idleLooks == 1 { next = now &+ Self.idlePoll }
            wakeAt = next
            if next == .max {
                condition.wait()
            } else {
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(next &- now) / 1e9))
            }
        }
    }
}
