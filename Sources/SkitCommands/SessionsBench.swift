import ArgumentParser
import Foundation
import StreamKitCore
import StreamKitEngine
import StreamKitNodes
import Synchronization

/// `skit bench sessions`: many live sessions, each `audio::tone → audio::pacer → audio::gain → core::sink`
/// in real time; reports CPU use and how late the pacers released their frames (from their
/// `pacer.lateness` telemetry).
struct SessionsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "Run N real-time dynamic sessions and report CPU use and pacing lateness."
    )

    @Option(help: "Sessions to run at once.")
    var count = 200

    @Option(help: "Seconds to measure (after a 2 s warm-up).")
    var seconds = 10

    func run() async throws {
        let registry = BuiltinNodes.makeRegistry()
        let yaml = """
            mode: dynamic
            nodes:
              tone: {kind: audio::tone, params: {waveform: sine, frequency: 440, duration_ms: 0, sample_rate: 48000, channels: 1}}
              pacer: {kind: audio::pacer, needs: tone}
              gain: {kind: audio::gain, params: {gain: 0.8}, needs: pacer}
              sink: {kind: core::sink, needs: gain}
            """
        let document = try PipelineParser.parse(yaml)
        var sessions: [DynamicSession] = []
        let collector = LatenessCollector()
        let started = ContinuousClock.now
        for index in 0..<count {
            let session = try await DynamicSession.start(id: "bench-\(index)", document: document, registry: registry)
            sessions.append(session)
            collector.watch(session)
        }
        let startup = ContinuousClock.now - started
        print("started \(count) sessions in \(String(format: "%.2f", startup.seconds)) s; warming up 2 s")
        try await Task.sleep(for: .seconds(2))
        collector.reset()
        let cpuBefore = ProcessUsage.cpuSeconds()
        let wallBefore = ContinuousClock.now
        try await Task.sleep(for: .seconds(self.seconds))
        let cpu = ProcessUsage.cpuSeconds() - cpuBefore
        let wall = (ContinuousClock.now - wallBefore).seconds
        let report = collector.summary()
        print(String(format: "CPU: %.1f%% of one core (%.2f s CPU over %.2f s), %d cores here", cpu / wall * 100, cpu, wall, ProcessInfo.processInfo.activeProcessorCount))
        print(String(format: "pacer lateness, all %d frames of %d sessions: p50 ≤ %.2f ms, p99 ≤ %.2f ms, p99.9 ≤ %.2f ms, max %.2f ms (target p99 ≤ 5 ms)",
                     report.frames, count, collector.percentile(0.5), collector.percentile(0.99), collector.percentile(0.999), report.max))
        print(String(format: "  per one-second window: median p99 %.2f ms, worst p99 %.2f ms (%d windows)", report.medianP99, report.worstP99, report.windows))
        print(String(format: "RSS now: %.1f MB", ProcessUsage.residentMegabytes()))
        for session in sessions { await session.shutdown() }
    }
}

/// Gathers the `pacer.lateness` telemetry of many sessions.
final class LatenessCollector: Sendable {
    private let windows = Mutex<[(p99: Double, max: Double, count: Int)]>([])
    /// Frames per 0.25 ms lateness bucket (upper edge in ms), summed over every window and session.
    private let histogram = Mutex<[Double: Int]>([:])
    private let tasks = Mutex<[Task<Void, Never>]>([])

    func watch(_ session: DynamicSession) {
        let subscription = session.subscribe()
        let task = Task { [self] in
            for await item in subscription {
                guard case .event(.telemetry(let event)) = item, event.eventType == "pacer.lateness" else { continue }
                let p99 = event.data["p99_ms"]?.doubleValue ?? 0
                let max = event.data["max_ms"]?.doubleValue ?? 0
                let count = event.data["count"]?.intValue ?? 0
                windows.withLock { $0.append((p99, max, count)) }
                if let buckets = event.data["histogram_ms"]?.objectValue {
                    histogram.withLock { histogram in
                        for (edge, value) in buckets {
                            guard let edgeMs = Double(edge), let frames = value.intValue else { continue }
                            histogram[edgeMs, default: 0] += frames
                        }
                    }
                }
            }
        }
        tasks.withLock { $0.append(task) }
    }

    func reset() {
        windows.withLock { $0.removeAll() }
        histogram.withLock { $0.removeAll() }
    }

    /// The lateness (bucket upper edge, ms) below which `fraction` of all frames fell.
    func percentile(_ fraction: Double) -> Double {
        let buckets = histogram.withLock { $0 }.sorted { $0.key < $1.key }
        let total = buckets.reduce(0) { $0 + $1.value }
        guard total > 0 else { return 0 }
        var seen = 0
        for (edge, count) in buckets {
            seen += count
            if Double(seen) >= fraction * Double(total) { return edge }
        }
        return buckets.last?.key ?? 0
    }

    func summary() -> (windows: Int, frames: Int, medianP99: Double, worstP99: Double, max: Double) {
        let all = windows.withLock { $0 }
        let p99s = all.map(\.p99).sorted()
        return (all.count, all.reduce(0) { $0 + $1.count }, p99s.median, p99s.last ?? 0, all.map(\.max).max() ?? 0)
    }
}
