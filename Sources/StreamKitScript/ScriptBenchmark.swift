import StreamKitCore
import StreamKitEngine

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

    /// The whole node: `packets` text packets fed into a running `core::script` node's inbox and read
    /// from its output, so the figure includes the engine's queues as a pipeline would see them.
    public static func runNode(
        source: String = "function process(packet) { return packet; }", packets: Int
    ) async throws -> Result {
        let node = try ScriptNode(params: ["script": .string(source)], settings: ScriptSettings())
        let inbox = NodeInbox(endsWithNoPins: true)
        inbox.addPin("in", capacity: 256)
        inbox.addWriter(to: "in")
        let collector = NodeInbox(endsWithNoPins: true)
        collector.addPin("in", capacity: 256)
        collector.addWriter(to: "in")
        let port = OutputPort(name: "out")
        port.add(.init(id: LinkID(fromNode: "script", fromPin: "out", toNode: "bench", toPin: "in"), inbox: collector, mode: .reliable))
        let sink = NodeEventSink(stateChanged: { _, _ in }, telemetry: { _ in true })
        let context = NodeContext(
            nodeID: "script", kind: ScriptNode.kind, sessionID: nil, mode: .oneshot, batchSize: 32,
            inbox: inbox, outputs: ["out": port], sink: sink
        )
        let running = Task {
            defer {
                for link in port.removeAll() { link.inbox.writerFinished(on: link.id.toPin) }
            }
            try await node.run(context: context)
        }
        let texts: [Packet] = (0..<64).map { .text("packet number \($0)") }
        let started = ContinuousClock.now
        let feeder = Task {
            for index in 0..<packets { _ = await inbox.send(texts[index % texts.count], to: "in") }
            inbox.writerFinished(on: "in")
        }
        var received = 0
        while let input = await collector.next() {
            if case .packet = input { received += 1 }
        }
        let seconds = (ContinuousClock.now - started).seconds
        await feeder.value
        try await running.value
        guard received == packets else { throw ScriptError("the node sent \(received) of \(packets) packets") }
        return Result(packets: received, seconds: seconds)
    }
}
