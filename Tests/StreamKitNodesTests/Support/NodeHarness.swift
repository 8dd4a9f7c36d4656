import Foundation
import StreamKitCore
import StreamKitEngine
import Synchronization
@testable import StreamKitNodes

/// Runs one node for real (its own task, real inbox and output ports) and lets a test feed
/// its inputs, tune it and read its outputs as they come.
final class NodeHarness: Sendable {
    let node: any Node
    let context: NodeContext
    let inbox: NodeInbox
    private let collectors: [String: NodeInbox]
    private let runTask: Task<Result<Void, any Error>, Never>
    /// Telemetry events the node published.
    let telemetry = Locked<[TelemetryEvent]>([])
    /// States the node reported, in order.
    let states = Locked<[NodeState]>([])

    var telemetryEvents: [TelemetryEvent] { telemetry.withLock { $0 } }
    var reportedStates: [NodeState] { states.withLock { $0 } }

    /// - Parameters:
    ///   - outputCapacity: how many packets each output collector holds before the node waits (backpressure).
    init(_ node: any Node, nodeID: String = "node", kind: String = "test", mode: PipelineMode = .oneshot,
         inputCapacity: Int = 32, outputCapacity: Int = 100_000, extraInputPins: [String] = []) {
        self.node = node
        let inbox = NodeInbox(endsWithNoPins: mode == .oneshot)
        for pin in node.inputPins {
            if case .dynamic = pin.cardinality { continue }
            inbox.addPin(pin.name, capacity: inputCapacity)
            inbox.addWriter(to: pin.name)
        }
        for pin in extraInputPins {
            inbox.addPin(pin, capacity: inputCapacity)
            inbox.addWriter(to: pin)
        }
        var outputs: [String: OutputPort] = [:]
        var collectors: [String: NodeInbox] = [:]
        for pin in node.outputPins {
            let port = OutputPort(name: pin.name)
            let collector = NodeInbox(endsWithNoPins: true)
            collector.addPin("in", capacity: outputCapacity)
            collector.addWriter(to: "in")
            port.add(.init(id: LinkID(fromNode: nodeID, fromPin: pin.name, toNode: "collector", toPin: "in"), inbox: collector, mode: .reliable))
            outputs[pin.name] = port
            collectors[pin.name] = collector
        }
        self.inbox = inbox
        self.collectors = collectors
        let telemetry = self.telemetry
        let states = self.states
        let sink = NodeEventSink(
            stateChanged: { _, state in states.withLock { $0.append(state) } },
            telemetry: { event in telemetry.withLock { $0.append(event) }; return true }
        )
        let context = NodeContext(nodeID: nodeID, kind: kind, sessionID: nil, mode: mode, batchSize: 32, inbox: inbox, outputs: outputs, sink: sink)
        self.context = context
        runTask = Task {
            context.setState(.running)
            let result: Result<Void, any Error>
            do {
                try await node.run(context: context)
                result = .success(())
            } catch {
                result = .failure(error)
            }
            inbox.close()
            for port in outputs.values {
                for link in port.removeAll() { link.inbox.writerFinished(on: link.id.toPin) }
            }
            return result
        }
    }

    /// Sends a packet into an input pin (waits while the pin is full).
    @discardableResult
    func feed(_ packet: Packet, pin: String = "in") async -> NodeInbox.SendResult {
        await inbox.send(packet, to: pin)
    }

    /// Ends an input pin (end of stream).
    func end(_ pin: String = "in") {
        inbox.writerFinished(on: pin)
    }

    /// Asks the node to change its parameters and waits for its answer.
    func tune(_ params: JSONValue) async -> Result<Void, StreamKitError> {
        await withCheckedContinuation { continuation in
            let update = ParamsUpdate(params: params, kind: "test") { continuation.resume(returning: $0) }
            if !inbox.deliver(update) { update.reject("closed") }
        }
    }

    /// The next packet the node sent on `pin`, or nil once the node finished and everything was read.
    func nextOutput(_ pin: String = "out") async -> Packet? {
        guard let collector = collectors[pin] else { return nil }
        while let input = await collector.next() {
            if case .packet(_, let packet) = input { return packet }
        }
        return nil
    }

    /// Waits for the node to finish and returns everything it sent on `pin` that was not read yet.
    func drain(_ pin: String = "out") async -> [Packet] {
        var packets: [Packet] = []
        while let packet = await nextOutput(pin) { packets.append(packet) }
        return packets
    }

    /// How the node's `run` ended.
    func result() async -> Result<Void, any Error> {
        await runTask.value
    }

    /// Feeds `packets` into `pin`, ends it, and returns everything the node sent on `out` plus how it ended.
    static func run(_ node: any Node, feeding packets: [Packet], pin: String = "in") async -> (outputs: [Packet], result: Result<Void, any Error>) {
        let harness = NodeHarness(node)
        let feeder = Task {
            for packet in packets { await harness.feed(packet, pin: pin) }
            harness.end(pin)
        }
        let outputs = await harness.drain()
        await feeder.value
        return (outputs, await harness.result())
    }
}

extension Packet {
    var audioFrame: AudioFrame? { if case .audio(let frame) = self { frame } else { nil } }
    var binaryData: [UInt8]? { if case .binary(let binary) = self { binary.data } else { nil } }
    var textValue: String? { if case .text(let text) = self { text } else { nil } }
}

/// Test signals and measurements.
enum Signal {
    static func sine(frequency: Double, sampleRate: Int, channels: Int = 1, frames: Int, amplitude: Float = 0.5) -> [Float] {
        var samples = [Float](repeating: 0, count: frames * channels)
        for index in 0..<frames {
            let value = amplitude * Float(sin(2 * Double.pi * frequency * Double(index) / Double(sampleRate)))
            for channel in 0..<channels { samples[index * channels + channel] = value }
        }
        return samples
    }

    static func rms(_ samples: [Float]) -> Double {
        guard !samples.isEmpty else { return 0 }
        return (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)).squareRoot()
    }

    static func peak(_ samples: [Float]) -> Float {
        samples.reduce(0) { max($0, abs($1)) }
    }
}

/// A value behind a lock, shareable by reference (a `Mutex` itself cannot be copied into closures).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<Result>(_ body: (inout sending Value) throws -> sending Result) rethrows -> sending Result {
        try mutex.withLock(body)
    }
}
