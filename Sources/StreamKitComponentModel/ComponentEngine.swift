import WasmKit

/// Shared, thread-safe machinery for running components: one WasmKit engine. Create one per
/// process and share it.
///
/// The engine meters fuel, though fuel is not the CPU budget: emptying a store's fuel is the
/// only way WasmKit 0.4.2 offers to stop a running guest, which is how ``CPUWatchdog`` ends a
/// call that is over its budget on the thread's CPU clock.
///
/// Linear memory keeps WasmKit's default guard-page storage. Software bounds checking was tried
/// to save the `sigsetjmp` (a signal-mask system call) around each guest invocation, about a
/// third of a microsecond each, but its storage grows by allocating, copying and freeing the
/// whole memory: a guest that grows page by page (CPython, a memory bomb) then spends more CPU
/// copying than computing, and a 64 MiB bomb ran out of CPU budget before reaching the cap.
public final class ComponentEngine: Sendable {
    let engine: Engine

    public init() {
        engine = Engine(configuration: EngineConfiguration(fuelMetering: true))
    }
}
