import Foundation
import WasmKit

/// The floor under a WASM plugin's per-packet cost, from a hand-written core module run by
/// WasmKit with no component layer: the plugin's gain loop alone, and the same loop in the call
/// shape of a plugin's `process` (two `realloc`-like calls, then the export, which calls one
/// host function). What `process()` costs above the second is ours (the canonical ABI, the
/// handle and CPU-budget bookkeeping, the packet conversion) and the plugin's own code.
final class WasmBaseline {
    /// Assembled with `wasm-tools parse` from:
    ///
    /// ```wat
    /// (module
    ///   (import "host" "output" (func $output (param i32 i32)))
    ///   (memory (export "memory") 1)
    ///   (func (export "gain") (param $p i32) (param $n i32) (param $g f32)
    ///     (local $end i32)
    ///     (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    ///     (block
    ///       (br_if 0 (i32.eqz (local.get $n)))
    ///       (loop
    ///         (f32.store (local.get $p) (f32.mul (f32.load (local.get $p)) (local.get $g)))
    ///         (local.set $p (i32.add (local.get $p) (i32.const 4)))
    ///         (br_if 0 (i32.ne (local.get $p) (local.get $end))))))
    ///   (func (export "gain-and-output") (param $p i32) (param $n i32) (param $g f32)
    ///     (call 1 (local.get $p) (local.get $n) (local.get $g))
    ///     (call $output (local.get $p) (local.get $n)))
    ///   (func (export "alloc") (param i32 i32 i32 i32) (result i32) (i32.const 0)))
    /// ```
    static let module: [UInt8] = [
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x14, 0x03, 0x60, 0x02, 0x7f, 0x7f, 0x00,
        0x60, 0x03, 0x7f, 0x7f, 0x7d, 0x00, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, 0x02, 0x0f,
        0x01, 0x04, 0x68, 0x6f, 0x73, 0x74, 0x06, 0x6f, 0x75, 0x74, 0x70, 0x75, 0x74, 0x00, 0x00, 0x03,
        0x04, 0x03, 0x01, 0x01, 0x02, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x2b, 0x04, 0x06, 0x6d, 0x65,
        0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x04, 0x67, 0x61, 0x69, 0x6e, 0x00, 0x01, 0x0f, 0x67, 0x61,
        0x69, 0x6e, 0x2d, 0x61, 0x6e, 0x64, 0x2d, 0x6f, 0x75, 0x74, 0x70, 0x75, 0x74, 0x00, 0x02, 0x05,
        0x61, 0x6c, 0x6c, 0x6f, 0x63, 0x00, 0x03, 0x0a, 0x4c, 0x03, 0x34, 0x01, 0x01, 0x7f, 0x20, 0x00,
        0x20, 0x01, 0x41, 0x02, 0x74, 0x6a, 0x21, 0x03, 0x02, 0x40, 0x20, 0x01, 0x45, 0x0d, 0x00, 0x03,
        0x40, 0x20, 0x00, 0x20, 0x00, 0x2a, 0x02, 0x00, 0x20, 0x02, 0x94, 0x38, 0x02, 0x00, 0x20, 0x00,
        0x41, 0x04, 0x6a, 0x21, 0x00, 0x20, 0x00, 0x20, 0x03, 0x47, 0x0d, 0x00, 0x0b, 0x0b, 0x0b, 0x10,
        0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x10, 0x01, 0x20, 0x00, 0x20, 0x01, 0x10, 0x00, 0x0b,
        0x04, 0x00, 0x41, 0x00, 0x0b,
    ]

    private let store: Store
    private let gain: Function
    private let gainAndOutput: Function
    private let alloc: Function
    private let memory: Memory
    /// The samples, as the last call left them.
    private(set) var samples: [Float]
    /// How many times the guest called the host function.
    var hostCalls: Int { hostCallCounter.count }
    private let hostCallCounter = HostCallCounter()
    private let arguments: [Value]
    private let allocArguments: [Value] = [.i32(0), .i32(0), .i32(4), .i32(16)]
    private var stack: ExecutionStack

    /// Instantiates the module in an engine configured like `ComponentEngine`'s (fuel metered),
    /// to run the loop over `samples` with `gain`. The host function only counts its calls.
    init(samples: [Float], gain: Float = 1) throws {
        let gainBits = gain.bitPattern
        let engine = Engine(configuration: EngineConfiguration(fuelMetering: true))
        store = Store(engine: engine)
        store.fuel = Fuel(remaining: UInt64.max / 2)
        var imports = Imports()
        let counter = hostCallCounter
        imports.define(module: "host", name: "output", Function(store: store, parameters: [.i32, .i32], raw: { _, _, _ in counter.count += 1 }))
        let instance = try parseWasm(bytes: Self.module).instantiate(store: store, imports: imports)
        guard case .function(let gain)? = instance.export("gain"), case .function(let gainAndOutput)? = instance.export("gain-and-output"),
              case .function(let alloc)? = instance.export("alloc"), case .memory(let memory)? = instance.export("memory")
        else { throw BaselineError() }
        self.gain = gain
        self.gainAndOutput = gainAndOutput
        self.alloc = alloc
        self.memory = memory
        self.samples = samples
        arguments = [.i32(0), .i32(UInt32(samples.count)), .f32(gainBits)]
        stack = ExecutionStack(engine: engine)
    }

    /// Copies the samples into the guest's memory, runs the loop, copies them back out.
    func loopOnly() throws {
        copyIn()
        _ = try gain.invoke(arguments, on: &stack)
        copyOut()
    }

    /// As ``loopOnly()``, in the call shape of `process`: two calls of an allocator that returns
    /// at once, then the loop in an export that ends by calling a host function.
    func callShape() throws {
        _ = try alloc.invoke(allocArguments, on: &stack)
        _ = try alloc.invoke(allocArguments, on: &stack)
        copyIn()
        _ = try gainAndOutput.invoke(arguments, on: &stack)
        copyOut()
    }

    private func copyIn() {
        let memory = memory
        samples.withUnsafeBytes { source in
            memory.withUnsafeMutableBufferPointer(offset: 0, count: source.count) { UnsafeMutableRawBufferPointer($0).copyMemory(from: source) }
        }
    }

    private func copyOut() {
        let memory = memory
        samples.withUnsafeMutableBytes { destination in
            memory.withUnsafeBufferPointer(offset: 0, count: destination.count) { destination.copyMemory(from: UnsafeRawBufferPointer($0)) }
        }
    }

    /// Not Sendable, like the store it counts for: one thread.
    private final class HostCallCounter {
        var count = 0
    }

    struct BaselineError: Error, CustomStringConvertible {
        var description: String { "the baseline module lacks one of its exports" }
    }

}
