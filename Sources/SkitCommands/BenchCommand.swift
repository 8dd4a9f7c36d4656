import ArgumentParser
import Foundation
import StreamKitCore
import StreamKitEngine
import StreamKitNodes

/// `skit bench engine`: measures what the engine adds per packet per hop, by running a chain of
/// `core::passthrough` nodes and the same source and sink with no chain, in the same process.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that print numbers.",
        subcommands: [EngineBench.self, SessionsBench.self, PluginBench.self, ScriptBench.self],
        defaultSubcommand: EngineBench.self
    )
}

/// `skit bench engine`: per-packet, per-hop cost of the engine.
struct EngineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Measure engine overhead: a chain of core::passthrough nodes moving audio frames."
    )

    @Option(help: "Passthrough nodes in the chain.")
    var hops = 16

    @Option(help: "Packets to move per run.")
    var packets = 50_000

    @Option(help: "Samples per frame (mono 48 kHz).")
    var frame = 960

    @Option(help: "Runs of each configuration; the median is reported.")
    var repeats = 5

    func run() async throws {
        let registry = BuiltinNodes.makeRegistry()
        let runner = OneshotRunner(registry: registry)
        let frameMs = Double(frame) / 48.0
        func pipeline(hops: Int) -> String {
            var steps = "mode: oneshot\nsteps:\n"
            steps += "  - kind: audio::tone\n    params: {waveform: silence, sample_rate: 48000, channels: 1, frame_ms: \(frameMs), duration_ms: \(Int(Double(packets) * frameMs))}\n"
            for _ in 0..<hops { steps += "  - kind: core::passthrough\n" }
            steps += "  - kind: core::sink\n"
            return steps
        }
        func measure(hops: Int) async throws -> (median: Double, packets: UInt64) {
            let plan = try runner.plan(pipeline(hops: hops))
            var times: [Double] = []
            var moved: UInt64 = 0
            for _ in 0..<max(1, repeats) {
                let start = ContinuousClock.now
                let summary = try await runner.run(plan, input: nil, output: nil)
                times.append((ContinuousClock.now - start).seconds)
                moved = summary.stats.values.map(\.received).max() ?? 0
            }
            times.sort()
            return (times[times.count / 2], moved)
        }
        print("engine overhead: \(packets) packets of \(frame) samples, median of \(repeats) runs")
        let baseline = try await measure(hops: 0)
        print(String(format: "  source -> sink:                 %.3f s (%.0f packets/s)", baseline.median, Double(packets) / baseline.median))
        let chain = try await measure(hops: hops)
        print(String(format: "  source -> %2d passthrough -> sink: %.3f s (%.0f packets/s), sink received %llu", hops, chain.median, Double(packets) / chain.median, chain.packets))
        let perHop = (chain.median - baseline.median) / Double(hops) / Double(packets) * 1e6
        print(String(format: "  per packet per hop: %.3f µs (target ≤ 2 µs)", perHop))
    }
}
