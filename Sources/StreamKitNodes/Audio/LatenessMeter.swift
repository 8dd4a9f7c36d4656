import Foundation
import StreamKitCore

/// Measures how late a pacer releases packets against its schedule and reports it once a second
/// as a `pacer.lateness` telemetry event (`count`, `p50_ms`, `p99_ms`, `max_ms`), so jitter in a
/// live session can be watched — and benchmarked — from outside.
struct LatenessMeter {
    /// Microsecond lateness samples of the current one-second window.
    private var samples: [UInt32] = []
    private var windowStart: ContinuousClock.Instant?

    init() {
        samples.reserveCapacity(64)
    }

    /// Records one release that was due at `due` and happened at `now`.
    mutating func record(due: ContinuousClock.Instant, now: ContinuousClock.Instant, context: NodeContext) {
        let late = due.duration(to: now)
        let micros = late <= .zero ? 0 : min(Int64(UInt32.max), late.components.seconds * 1_000_000 + late.components.attoseconds / 1_000_000_000_000)
        samples.append(UInt32(micros))
        let start = windowStart ?? now
        windowStart = start
        if start.duration(to: now) >= .seconds(1) {
            report(context: context)
            windowStart = now
        }
    }

    private mutating func report(context: NodeContext) {
        guard !samples.isEmpty else { return }
        samples.sort()
        func percentile(_ p: Double) -> Double {
            let index = min(samples.count - 1, Int((Double(samples.count - 1) * p).rounded()))
            return Double(samples[index]) / 1000
        }
        // A coarse histogram (0.25 ms buckets, keyed by the bucket's upper edge; the last bucket
        // holds everything from 20 ms up) lets a watcher combine windows and sessions exactly.
        var histogram = JSONObject()
        var counts: [Int: Int] = [:]
        for sample in samples { counts[min(80, Int(sample) / 250 + 1), default: 0] += 1 }
        for bucket in counts.keys.sorted() {
            histogram[String(format: "%.2f", Double(bucket) * 0.25)] = .number(Double(counts[bucket] ?? 0))
        }
        context.emitTelemetry("pacer.lateness", data: [
            "count": .number(Double(samples.count)),
            "p50_ms": .number(percentile(0.5)),
            "p99_ms": .number(percentile(0.99)),
            "max_ms": .number(Double(samples.last ?? 0) / 1000),
            "histogram_ms": .object(histogram),
        ])
        samples.removeAll(keepingCapacity: true)
    }
}
