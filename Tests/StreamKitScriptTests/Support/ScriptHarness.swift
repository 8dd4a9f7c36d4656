import Foundation
import Logging
import StreamKitCore
import StreamKitEngine
import Synchronization
@testable import StreamKitScript

/// Runs one node for real (its own task, real inbox and output port) and lets a test feed it and
/// read what it sends as it comes.
final class ScriptHarness: Sendable {
    let context: NodeContext
    let inbox: NodeInbox
    private let collector: NodeInbox
    private let runTask: Task<Result<Void, any Error>, Never>

    init(_ node: any Node, nodeID: String = "script", inputCapacity: Int = 64, outputCapacity: Int = 100_000) {
        let inbox = NodeInbox(endsWithNoPins: true)
        for pin in node.inputPins {
            inbox.addPin(pin.name, capacity: inputCapacity)
            inbox.addWriter(to: pin.name)
        }
        let collector = NodeInbox(endsWithNoPins: true)
        collector.addPin("in", capacity: outputCapacity)
        collector.addWriter(to: "in")
        let port = OutputPort(name: "out")
        port.add(.init(id: LinkID(fromNode: nodeID, fromPin: "out", toNode: "collector", toPin: "in"), inbox: collector, mode: .reliable))
        let events = TelemetryBox()
        let sink = NodeEventSink(stateChanged: { _, _ in }, telemetry: { event in events.append(event); return true })
        let context = NodeContext(nodeID: nodeID, kind: "test", sessionID: nil, mode: .oneshot, batchSize: 32, inbox: inbox, outputs: ["out": port], sink: sink)
        self.context = context
        self.inbox = inbox
        self.collector = collector
        self.events = events
        runTask = Task {
            let result: Result<Void, any Error>
            do {
                try await node.run(context: context)
                result = .success(())
            } catch {
                result = .failure(error)
            }
            inbox.close()
            for link in port.removeAll() { link.inbox.writerFinished(on: link.id.toPin) }
            return result
        }
    }

    private let events: TelemetryBox
    var telemetryEvents: [TelemetryEvent] { events.all }

    func feed(_ packet: Packet) async {
        _ = await inbox.send(packet, to: "in")
    }

    func end() { inbox.writerFinished(on: "in") }

    /// The next packet the node sent, or nil once it finished.
    func next() async -> Packet? {
        while let input = await collector.next() {
            if case .packet(_, let packet) = input { return packet }
        }
        return nil
    }

    func drain() async -> [Packet] {
        var packets: [Packet] = []
        while let packet = await next() { packets.append(packet) }
        return packets
    }

    func result() async -> Result<Void, any Error> { await runTask.value }

    /// Feeds `packets`, ends the input and returns everything sent.
    static func run(_ node: any Node, _ packets: [Packet]) async throws -> (outputs: [Packet], harness: ScriptHarness) {
        let harness = ScriptHarness(node)
        let feeder = Task {
            for packet in packets { await harness.feed(packet) }
            harness.end()
        }
        let outputs = await harness.drain()
        await feeder.value
        try await harness.result().get()
        return (outputs, harness)
    }
}

final class TelemetryBox: Sendable {
    private let events = Mutex<[TelemetryEvent]>([])
    func append(_ event: TelemetryEvent) { events.withLock { $0.append(event) } }
    var all: [TelemetryEvent] { events.withLock { $0 } }
}

/// A log handler that keeps every line, to check what reached the log.
final class CapturedLog: Sendable {
    let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "captured") { _ in Handler(log: self) }
    }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(
            level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?,
            source: String, file: String, function: String, line: UInt
        ) {
            let all = metadata.merging(explicit ?? [:]) { $1 }
            log.lines.withLock { $0.append("\(level) \(message) \(all)") }
        }
    }
}

extension Packet {
    var text: String? { if case .text(let value) = self { value } else { nil } }
}

/// Makes a node of `definition` from `params` the way the registry does (schema defaults applied).
func makeNode(_ definition: NodeDefinition, _ params: JSONValue) throws -> any Node {
    let registry = NodeRegistry()
    registry.register(definition)
    return try registry.makeNode(kind: definition.kind, nodeID: "node", params: params)
}
