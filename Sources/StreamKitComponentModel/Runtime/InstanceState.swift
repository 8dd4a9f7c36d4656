#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import WasmKit

/// The mutable state of one component instance: its WasmKit store, handle table, the
/// resource types its guest defines, and the limits of the current call.
///
/// Not Sendable: an instance is confined to the thread (or executor) that created it, like
/// WasmKit's `Store`.
final class InstanceState {
    let store: Store
    let limits: ComponentLimits
    /// Whether the running call has the start-up budget (for the message when it runs out).
    private var startupCall = false
    let memoryCap: MemoryCap
    var handles = HandleTable()
    /// Resource types defined by the guest, with their destructors (if the guest gave one).
    var guestResources: [ResourceType: Function?] = [:]
    /// Destructors of host-defined resources, called when the guest drops an owned handle.
    var hostDestructors: [ResourceType: (UInt32) throws -> Void] = [:]
    private var scopeCounter = 0
    /// How many core invocations are on the stack (host → guest → host → guest ...).
    private(set) var depth = 0
    /// The last real read of a calling thread's CPU clock (see ``CallStart``).
    private var lastClockRead: (clock: clockid_t, start: CallStart)?
    /// CPU time of the running call, watched by ``CPUWatchdog``.
    private var meter: CallMeter?
    /// CPU time the last outermost call used, in nanoseconds (for measurements and tests); for a
    /// call under a millisecond, its wall time (see ``CallMeter/usedAtEnd``).
    private(set) var lastCallCPUTime: UInt64 = 0
    /// The export currently running, for messages.
    var currentCall: String?
    /// The arguments of `realloc(0, 0, alignment, size)`, kept to be filled in rather than
    /// allocated for every string or list lowered.
    var reallocArguments: [Value] = [.i32(0), .i32(0), .i32(0), .i32(0)]
    /// Stacks reused by every guest call instead of one allocated per call.
    private lazy var stacks = GuestStacks(engine: store.engine)

    /// Fuel is not the budget (``CPUWatchdog`` enforces that on the CPU clock); the engine still
    /// meters it only because emptying it is how a running guest is stopped. Each call starts
    /// with this much, which no guest can use up (WasmKit charges about one unit per operator),
    /// so only a cut-off ends a call for fuel.
    static let unlimitedFuel = Fuel(remaining: UInt64.max / 2)

    init(store: Store, limits: ComponentLimits, memoryCap: MemoryCap) {
        self.store = store
        self.limits = limits
        self.memoryCap = memoryCap
    }

    func nextScope() -> Int {
        scopeCounter += 1
        return scopeCounter
    }

    func isDefinedByGuest(_ resource: ResourceType) -> Bool { guestResources[resource] != nil }

    /// Runs one host → guest call (an export, a drop, instantiation) under a fresh CPU budget.
    ///
    /// The budget covers the CPU time the call uses on this thread: lowering the arguments and
    /// `realloc`, the function itself and the host functions it calls, lifting the results,
    /// `post-return`, start functions during instantiation. Waiting is not counted. The call is
    /// registered with ``CPUWatchdog`` from start to end; it deregisters before anything else
    /// touches the store's fuel again.
    func withCallBudget<T>(_ name: String, startup: Bool = false, _ body: () throws -> T) throws -> T {
        guard depth == 0, currentCall == nil else {
            throw ComponentError.usage("reentrant call into the component (`\(name)`) is not allowed")
        }
        guard let clock = ThreadCPUClock.currentThreadClock() else {
            throw ComponentError.unsupported("this system gives no CPU clock for the calling thread, which the CPU budget needs")
        }
        currentCall = name
        startupCall = startup
        // A cut-off in the previous call left the fuel empty.
        store.fuel = Self.unlimitedFuel
        _ = memoryCap.takeExceeded()
        let start = CallStart.now(clock: clock, last: &lastClockRead)
        let meter = CallMeter(budget: startup ? limits.startupBudget : limits.cpuBudget, clock: clock, start: start, store: store)
        self.meter = meter
        CPUWatchdog.shared.watch(meter)
        defer {
            self.meter = nil
            currentCall = nil
            startupCall = false
        }
        let outcome = Result { try body() }
        CPUWatchdog.shared.unwatch(meter)
        let used = meter.usedAtEnd
        lastCallCPUTime = used
        let result = try outcome.get()
        // The watchdog stops a guest at its next fuel check; a call that went over its budget
        // where there is none (inside a host function, or in its last instructions) still fails,
        // so the budget means the same whatever the guest's code looks like.
        if used > meter.budget { throw budgetExceeded(in: name, used: used) }
        return result
    }

    /// Invokes a core function of the guest, translating traps and limit violations into
    /// ``ComponentError``s that say what happened.
    func invokeGuest(_ function: Function, _ arguments: [Value], name: String) throws -> [Value] {
        let stackDepth = depth
        depth += 1
        defer { depth -= 1 }
        do {
            return try stacks.invoke(function, arguments, depth: stackDepth)
        } catch let error as ComponentError {
            // The memory cap's own error cannot know which call it stopped.
            if error.code == .memoryLimitExceeded, let refused = memoryCap.takeExceeded() { throw memoryLimitError(refused, in: name) }
            throw error
        } catch {
            throw translate(error, in: name)
        }
    }

    private func memoryLimitError(_ refused: Int, in name: String) -> ComponentError {
        ComponentError(
            .memoryLimitExceeded,
            "memory limit of \(limits.memoryLimit) bytes exceeded in `\(currentCall ?? name)` (the instance's memories would total \(refused) bytes)")
    }

    private func translate(_ error: any Error, in name: String) -> ComponentError {
        if let refused = memoryCap.takeExceeded() { return memoryLimitError(refused, in: name) }
        if let budget = cpuBudgetError(error, in: name) { return budget }
        return ComponentError(.trap, "`\(currentCall ?? name)` trapped: \(error)")
    }

    /// The CPU budget error, if `error` is the out-of-fuel trap with which ``CPUWatchdog``
    /// stops a call (nothing else empties the fuel, see ``unlimitedFuel``).
    func cpuBudgetError(_ error: any Error, in name: String) -> ComponentError? {
        // WasmKit's trap reason is package-internal; its description is the stable public face.
        guard String(describing: error).contains("out of fuel") else { return nil }
        return budgetExceeded(in: name, used: meter?.usedOnOwnThread ?? 0)
    }

    private func budgetExceeded(in name: String, used nanoseconds: UInt64) -> ComponentError {
        let used = ComponentLimits.describeUsed(nanoseconds: nanoseconds)
        return ComponentError(.cpuBudgetExceeded, startupCall
            ? "start-up cpu budget of \(limits.startupBudgetDescription) exceeded in `\(currentCall ?? name)` (used \(used))"
            : "cpu budget of \(limits.cpuBudgetDescription) per call exceeded in `\(currentCall ?? name)` (used \(used))")
    }
}
