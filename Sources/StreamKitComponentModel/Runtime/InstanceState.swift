import WasmKit

/// The mutable state of one component instance: its WasmKit store, handle table, the
/// resource types its guest defines, and the limits of the current call.
///
/// Not Sendable: an instance is confined to the thread (or executor) that created it, like
/// WasmKit's `Store`.
final class InstanceState {
    let store: Store
    let limits: ComponentLimits
    let fuelPerCall: UInt64
    /// Fuel of instantiation and of calls made with the start-up budget.
    let startupFuel: UInt64
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
    /// Fuel the last outermost guest call consumed (for measurements and tests).
    private(set) var lastCallFuel: UInt64 = 0
    /// The export currently running, for messages.
    var currentCall: String?
    /// Stacks reused by every guest call instead of one allocated per call.
    private lazy var stacks = GuestStacks(engine: store.engine)

    init(store: Store, limits: ComponentLimits, fuelPerCall: UInt64, startupFuel: UInt64, memoryCap: MemoryCap) {
        self.store = store
        self.limits = limits
        self.fuelPerCall = fuelPerCall
        self.startupFuel = startupFuel
        self.memoryCap = memoryCap
    }

    func nextScope() -> Int {
        scopeCounter += 1
        return scopeCounter
    }

    func isDefinedByGuest(_ resource: ResourceType) -> Bool { guestResources[resource] != nil }

    /// Runs one host → guest call (an export, a drop, instantiation) under a fresh CPU budget.
    ///
    /// The budget covers everything the call makes the guest do: `realloc` while lowering the
    /// arguments, the function itself, and `post-return`.
    func withCallBudget<T>(_ name: String, startup: Bool = false, _ body: () throws -> T) throws -> T {
        guard depth == 0, currentCall == nil else {
            throw ComponentError.usage("reentrant call into the component (`\(name)`) is not allowed")
        }
        currentCall = name
        startupCall = startup
        let budget = startup ? startupFuel : fuelPerCall
        store.fuel = Fuel(remaining: budget)
        _ = memoryCap.takeExceeded()
        defer {
            lastCallFuel = budget - min(budget, store.fuel?.remaining ?? budget)
            store.fuel = nil
            currentCall = nil
            startupCall = false
        }
        return try body()
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
            throw error
        } catch {
            throw translate(error, in: name)
        }
    }

    private func translate(_ error: any Error, in name: String) -> ComponentError {
        if let refused = memoryCap.takeExceeded() {
            return ComponentError(
                .memoryLimitExceeded,
                "memory limit of \(limits.memoryLimit) bytes exceeded in `\(currentCall ?? name)` (a memory asked for \(refused) bytes)")
        }
        let text = String(describing: error)
        // WasmKit's trap reason is package-internal; its description is the stable public face.
        if text.contains("out of fuel") {
            return ComponentError(.cpuBudgetExceeded, startupCall
                ? "start-up cpu budget of \(limits.startupBudgetDescription) exceeded in `\(currentCall ?? name)`"
                : "cpu budget of \(limits.cpuBudgetDescription) per call exceeded in `\(currentCall ?? name)`")
        }
        return ComponentError(.trap, "`\(currentCall ?? name)` trapped: \(text)")
    }
}
