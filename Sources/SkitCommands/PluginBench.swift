import ArgumentParser
import Foundation
import Logging
import StreamKitCore
import StreamKitEngine
import StreamKitNativePlugins
import StreamKitNodes
import StreamKitWasmPlugins
import StreamKitComponentModel

/// `skit bench plugin LIB`: the cost of a native plugin against a built-in node doing the same
/// work in the same pipeline, and how long loading the plugin takes.
struct PluginBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Measure a native (.so) or WASM (.wasm) plugin: per-packet overhead against a built-in node, and load time."
    )

    @Argument(help: "The plugin library (.so/.dylib), e.g. examples/plugins/gain-native-c/build/libgain_native_c.so.")
    var library: String

    @Option(help: "Parameters of the plugin node, as JSON.")
    var params = #"{"gain_db": 0}"#

    @Option(help: "The built-in kind to compare with.")
    var builtin = "audio::gain"

    @Option(help: "Parameters of the built-in node, as JSON.")
    var builtinParams = #"{"gain": 1.0}"#

    enum Defaults: ChainBenchDefaults {
        static let hops = 8
        static let packets = 20_000
    }

    @OptionGroup var chain: ChainBenchOptions<Defaults>

    @Option(help: "Loads to time (each from a fresh copy of the file).")
    var loads = 20

    func run() async throws {
        var logger = Logger(label: "skit.bench")
        logger.logLevel = .error
        let isWasm = library.hasSuffix(".wasm")
        let engine = ComponentEngine()
        let limits = ComponentLimits(cpuBudget: .seconds(5))
        func loadWasm(_ path: String) throws -> WasmPluginLibrary {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            return try WasmPluginLibrary.load(bytes: bytes, file: (path as NSString).lastPathComponent, engine: engine, limits: limits, loadBudget: .seconds(60), logger: logger)
        }
        func loadDefinition(_ path: String) throws -> NodeDefinition {
            if isWasm { return try loadWasm(path).nodeDefinition() }
            return try NativePluginLibrary.load(path: path, logger: logger).nodeDefinition()
        }
        Self.progress("timing \(loads) loads")
        let loadTimes = try measureLoads { try loadDefinition($0) }
        let wasmLibrary = isWasm ? try loadWasm(library) : nil
        let definition = try wasmLibrary?.nodeDefinition() ?? loadDefinition(library)
        let registry = BuiltinNodes.makeRegistry()
        registry.register(definition)
        let runner = OneshotRunner(registry: registry)
        let (hops, packets, frame, repeats) = (chain.hops, chain.packets, chain.frame, chain.repeats)
        func pipeline(kind: String, params: String, hops: Int) -> String {
            chain.pipeline(waveform: "sine", kind: kind, params: params, hops: hops)
        }
        /// Median wall time and median process CPU time (all threads) of `repeats` runs. CPU time
        /// is the steadier figure on a shared machine: time the process waits for a core does not
        /// count, and every thread's work does, whichever executor ran it.
        func measure(_ yaml: String) async throws -> (wall: Double, cpu: Double) {
            let plan = try runner.plan(yaml)
            var runs = RunTimes()
            for _ in 0..<chain.runs {
                let start = ContinuousClock.now
                let cpuStart = ProcessUsage.cpuSeconds()
                _ = try await runner.run(plan, input: nil, output: nil)
                runs.add((wall: (ContinuousClock.now - start).seconds, cpu: ProcessUsage.cpuSeconds() - cpuStart))
            }
            return runs.median
        }

        print("\(isWasm ? "WASM" : "native") plugin \(definition.kind) (\((library as NSString).lastPathComponent))")
        print(String(format: isWasm ? "  load (parse + instantiate + metadata), %d loads: median %.3f ms, max %.3f ms" : "  load (dlopen + entry + metadata), %d loads: median %.3f ms, max %.3f ms (target ≤ 5 ms)",
                     loadTimes.count, loadTimes[loadTimes.count / 2] * 1000, (loadTimes.last ?? 0) * 1000))
        if let wasmLibrary {
            Self.progress("timing process() called directly and the bare loop: \(repeats) runs of \(packets) calls each")
            let direct = try await Self.measureDirectCalls(library: wasmLibrary, params: try JSONValue.parse(params), frame: frame, calls: packets, repeats: repeats, logger: logger)
            print(String(format: "  process() called directly, %d calls of %d samples, median of %d runs: %.3f µs per call (wall), %.3f µs (thread CPU)  (target for the C gain example at 960 samples: ≤ 10 µs including marshaling)",
                         packets, frame, repeats, direct.plugin.wall * 1e6, direct.plugin.cpu * 1e6))
            print("  the same gain loop in a bare core module under WasmKit (no component layer), runs interleaved with the plugin's:")
            print(String(format: "    loop alone (copy in, loop, copy out):                         %.3f µs per call (wall), %.3f µs (thread CPU)", direct.loop.wall * 1e6, direct.loop.cpu * 1e6))
            print(String(format: "    in process()'s call shape (2 realloc calls, export, host call): %.3f µs per call (wall), %.3f µs (thread CPU)", direct.shape.wall * 1e6, direct.shape.cpu * 1e6))
            print(String(format: "  component layer and plugin code above that call shape (median of the runs' differences): %+.3f µs per call (thread CPU)", direct.difference * 1e6))
        }
        Self.progress("timing the pipelines: 3 × \(repeats) runs of \(packets) packets")
        print("  \(packets) packets of \(frame) samples through \(hops) nodes, median of \(repeats) runs")
        let baseline = try await measure(pipeline(kind: builtin, params: builtinParams, hops: 0))
        let builtinTime = try await measure(pipeline(kind: builtin, params: builtinParams, hops: hops))
        let pluginTime = try await measure(pipeline(kind: definition.kind, params: params, hops: hops))
        func perPacket(_ time: Double, _ base: Double) -> Double { (time - base) / Double(hops) / Double(packets) * 1e6 }
        let perBuiltin = (wall: perPacket(builtinTime.wall, baseline.wall), cpu: perPacket(builtinTime.cpu, baseline.cpu))
        let perPlugin = (wall: perPacket(pluginTime.wall, baseline.wall), cpu: perPacket(pluginTime.cpu, baseline.cpu))
        print("                              wall time                                CPU time (all threads)")
        print(String(format: "  source -> sink:            %.3f s                                  %.3f s", baseline.wall, baseline.cpu))
        print(String(format: "  %@ %.3f s  (%7.3f µs per packet per node)   %.3f s  (%7.3f µs per packet per node)",
                     "\(hops) × \(builtin):".padding(toLength: 26, withPad: " ", startingAt: 0) as NSString, builtinTime.wall, perBuiltin.wall, builtinTime.cpu, perBuiltin.cpu))
        print(String(format: "  %@ %.3f s  (%7.3f µs per packet per node)   %.3f s  (%7.3f µs per packet per node)",
                     "\(hops) × plugin:".padding(toLength: 26, withPad: " ", startingAt: 0) as NSString, pluginTime.wall, perPlugin.wall, pluginTime.cpu, perPlugin.cpu))
        print(String(format: "  plugin overhead against %@: %+.3f µs per packet (wall), %+.3f µs (CPU)  (target ≤ %@)",
                     builtin, perPlugin.wall - perBuiltin.wall, perPlugin.cpu - perBuiltin.cpu, isWasm ? "10 µs including marshaling" : "1 µs"))
    }

    /// The cost of one `process` call with its marshaling (lower the packet, run the guest, lift
    /// what it sends), without the engine: one node instance called in a loop on a thread of its
    /// own, and, interleaved with it run by run, ``WasmBaseline``'s bare loop over the same
    /// number of samples (so both see the same machine: this one is shared and noisy). Medians
    /// per call of `repeats` runs each, and the median of the runs' CPU-time differences.
    private static func measureDirectCalls(
        library: WasmPluginLibrary, params: JSONValue, frame: Int, calls: Int, repeats: Int, logger: Logger
    ) async throws -> (plugin: (wall: Double, cpu: Double), loop: (wall: Double, cpu: Double), shape: (wall: Double, cpu: Double), difference: Double) {
        let samples = (0..<frame).map { Float(sin(Double($0) * 2 * .pi * 440 / 48_000) * 0.5) }
        let packet = Packet.audio(AudioFrame(sampleRate: 48_000, channels: 1, samples: samples))
        return try await onOwnThread {
            let node = try WasmNodeInstance(library: library, params: params, logger: logger)
            defer { node.finish() }
            let baseline = try WasmBaseline(samples: samples)
            for _ in 0..<max(100, calls / 10) {
                _ = try node.process(packet, on: "in")
                try baseline.loopOnly()
                try baseline.callShape()
            }
            var plugin = RunTimes()
            var loop = RunTimes()
            var shape = RunTimes()
            var differences: [Double] = []
            for _ in 0..<max(1, repeats) {
                let pluginRun = try RunTimes.time(calls) { _ = try node.process(packet, on: "in") }
                let shapeRun = try RunTimes.time(calls) { try baseline.callShape() }
                loop.add(try RunTimes.time(calls) { try baseline.loopOnly() })
                plugin.add(pluginRun)
                shape.add(shapeRun)
                differences.append(pluginRun.cpu - shapeRun.cpu)
            }
            return (plugin.median, loop.median, shape.median, differences.median)
        }
    }

    /// Runs blocking `work` on a new thread (not the cooperative pool) and returns its result.
    private static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let result: Result<T, any Error> = await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: Result { try work() }) }
            thread.name = "skit-bench"
            thread.start()
        }
        return try result.get()
    }

    /// A progress line on standard error, so the report on standard output stays clean.
    private static func progress(_ message: String) {
        StandardStreams.printError("skit bench: \(message)…")
    }

    /// Loads fresh copies of the library (a path can be opened only once per process).
    private func measureLoads(_ load: (String) throws -> NodeDefinition) throws -> [Double] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skit-bench-loads-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var times: [Double] = []
        for index in 0..<max(1, loads) {
            let copy = directory.appendingPathComponent("copy\(index)-\((library as NSString).lastPathComponent)").path
            try FileManager.default.copyItem(atPath: library, toPath: copy)
            let start = ContinuousClock.now
            _ = try load(copy)
            times.append((ContinuousClock.now - start).seconds)
        }
        return times.sorted()
    }
}
