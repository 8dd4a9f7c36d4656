import StreamKitCore

/// Measures the cost of `process(packet)` calls on text packets, as `core::script` makes them
/// (batched hops onto the script's queue, packet objects built and read back), for `skit bench script`.
public enum ScriptBenchmark {
    public struct Result: Sendable {
        public var packets: Int
        public var seconds: Double
        public var nanosecondsPerPacket: Double { seconds * 1e9 / Double(max(1, packets)) }
    }

    /// Runs `packets` text packets through `source` in batches of `batch` and returns the time taken.
    public static func run(
        source: String = "function process(packet) { return packet; }", packets: Int, batch: Int = 32
    ) async throws -> Result {
        let configuration = ScriptRuntime.Configuration(
            nodeID: "bench", source: source, timeout: .milliseconds(100), memoryLimitBytes: 64 << 20,
            secretHeaders: [], settings: ScriptSettings()
        )
        let runtime = try await ScriptRuntime.start(configuration: configuration, node: nil)
        let texts: [Packet] = (0..<max(1, batch)).map { .text("packet number \($0)") }
        var done = 0
        // Warm-up, so the JIT has compiled process() before timing.
        _ = try await runtime.process(texts)
        let started = ContinuousClock.now
        while done < packets {
            let steps = try await runtime.process(texts)
            for step in steps {
                guard case .done(.result(.emit)) = step else { throw ScriptError("unexpected benchmark result: \(step)") }
            }
            done += texts.count
        }
        let seconds = (ContinuousClock.now - started).seconds
        await runtime.close()
        return Result(packets: done, seconds: seconds)
    }
}
