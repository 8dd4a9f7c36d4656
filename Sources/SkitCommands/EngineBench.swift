import ArgumentParser
import Foundation
import StreamKitCore
import StreamKitEngine
import StreamKitNodes

/// `skit bench engine`: measures what the engine adds per packet per hop, by running a chain of
/// `core::passthrough` nodes and the same source and sink with no chain, in the same process.
struct EngineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Measure engine overhead: a chain of core::passthrough nodes moving audio frames."
    )

    enum Defaults: ChainBenchDefaults {
        static let hops = 16
        static let packets = 50_000
    }

    @OptionGroup var chain: ChainBenchOptions<Defaults>

    func run() async throws {
        let runner = OneshotRunner(registry: BuiltinNodes.makeRegistry())
        let packets = chain.packets
        func measure(hops: Int) async throws -> (median: Double, packets: UInt64) {
            let plan = try runner.plan(chain.pipeline(waveform: "silence", kind: "core::passthrough", hops: hops))
            var times: [Double] = []
            var moved: UInt64 = 0
            for _ in 0..<chain.runs {
                let start = ContinuousClock.now
                let summary = try await runner.run(plan, input: nil, output: nil)
                times.append((ContinuousClock.now - start).seconds)
                moved = summary.stats.values.map(\.received).max() ?? 0
            }
            return (times.median, moved)
        }
        print("engine overhead: \(packets) packets of \(chain.frame) samples, median of \(chain.repeats) runs")
        let baseline = try await measure(hops: 0)
        print(String(format: "  source -> sink:                 %.3f s (%.0f packets/s)", baseline.median, Double(packets) / baseline.median))
        let measured = try await measure(hops: chain.hops)
        print(String(format: "  source -> %2d passthrough -> sink: %.3f s (%.0f packets/s), sink received %llu", chain.hops, measured.median, Double(packets) / measured.median, measured.packets))
        let perHop = (measured.median - baseline.median) / Double(chain.hops) / Double(packets) * 1e6
        print(String(format: "  per packet per hop: %.3f µs (target ≤ 2 µs)", perHop))
    }
}
