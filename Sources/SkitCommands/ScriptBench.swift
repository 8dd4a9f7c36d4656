import ArgumentParser
import Foundation
import StreamKitScript

/// `skit bench script`: the per-packet cost of a trivial core::script `process` on text packets.
struct ScriptBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "script",
        abstract: "Measure core::script: time per text packet through a trivial process(packet)."
    )

    @Option(help: "Packets per run.")
    var packets = 200_000

    @Option(help: "Packets per hop onto the script's queue (the node takes up to its batch size, 32, when they are queued).")
    var batch = 32

    @Option(help: "Runs; the median is reported.")
    var repeats = 5

    func run() async throws {
        let runs = max(1, repeats)
        for batchSize in Set([1, batch]).sorted() {
            let median = try await RunTimes.median(of: runs) { try await ScriptBenchmark.run(packets: packets, batch: batchSize).nanosecondsPerPacket }
            print(String(format: "core::script runtime, process(packet) { return packet; }, batch %d: %.2f µs per packet (median of %d runs of %d packets)",
                         batchSize, median / 1000, runs, packets))
        }
        let median = try await RunTimes.median(of: runs) { try await ScriptBenchmark.runNode(packets: packets).nanosecondsPerPacket }
        print(String(format: "core::script node (inbox → script → output link): %.2f µs per packet (median of %d runs of %d packets)",
                     median / 1000, runs, packets))
    }
}
