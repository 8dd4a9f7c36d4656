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
        context.emitTelemetry("pacer.lateness", data: [
            "count": .number(Double(samples.count)),
            "p50_ms": .number(percentile(0.5)),
            "p99_ms": .number(percentile(0.99)),
            "max_ms": .number(Double(samples.last ?? 0) / 1000),
        ])
        samples.removeAll(keepingCapacity: true)
    }
}
