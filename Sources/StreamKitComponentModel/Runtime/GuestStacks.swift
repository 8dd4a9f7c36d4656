import WasmKit

/// The execution stacks an instance's guest calls run on, kept for the life of the instance.
///
/// WasmKit's `Function.invoke(_:)` allocates a stack of the engine's stack size (512 KiB by
/// default) for every call and frees it afterwards; a plugin's `process` makes three or four
/// guest calls per packet (two reallocs, the export, a post-return if it has one), so that allocation showed up in the
/// per-packet cost. Calls nest (host → guest → host → guest: a host function's results are
/// lowered with the guest's realloc while the guest waits) and a stack serves one call at a
/// time, so there is one stack per nesting depth, made when that depth is first reached.
///
/// Not Sendable: confined to its instance's thread, like the instance.
final class GuestStacks {
    private final class Slot {
        var stack: ExecutionStack
        init(engine: Engine) { stack = ExecutionStack(engine: engine) }
    }

    private let engine: Engine
    private var slots: [Slot] = []

    init(engine: Engine) {
        self.engine = engine
    }

    /// Invokes `function` on the stack kept for nesting depth `depth` (0 for a call from the host).
    func invoke(_ function: Function, _ arguments: [Value], depth: Int) throws -> [Value] {
        while slots.count <= depth { slots.append(Slot(engine: engine)) }
        let slot = slots[depth]
        return try function.invoke(arguments, on: &slot.stack)
    }
}
