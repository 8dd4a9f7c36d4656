import WasmKit

/// Shared, thread-safe machinery for running components: one WasmKit engine. Create one per
/// process and share it.
///
/// The engine meters fuel, though fuel is not the CPU budget: emptying a store's fuel is the
/// only way WasmKit 0.4.2 offers to stop a running guest, which is how ``CPUWatchdog`` ends a
/// call that is over its budget on the thread's CPU clock.
public final class ComponentEngine: Sendable {
    let engine: Engine

    public init() {
        engine = Engine(configuration: EngineConfiguration(fuelMetering: true))
    }
}
