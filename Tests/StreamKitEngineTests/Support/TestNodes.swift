import Foundation
import StreamKitCore
import StreamKitEngine
import StreamKitNodes
import Synchronization

/// Nodes that exist only for engine tests: a recorder, a gate, a failing node, a counting source.
enum TestNodes {
    /// A registry with the built-in kinds plus `test::*` kinds wired to the given helpers.
    static func registry(recorder: Recorder = Recorder(), gate: Gate = Gate(), failAfter: Int = 3, sent: SentCounter = SentCounter()) -> NodeRegistry {
        let registry = BuiltinNodes.makeRegistry()
        registry.register(NodeDefinition(
            kind: "test::record", description: "Records what it receives.", categories: ["test"], paramSchema: ["type": "object"],
            inputs: [InputPin(name: "in", accepts: [.any])], outputs: [],
            factory: { _ in RecordingSink(recorder: recorder) }
        ))
        registry.register(NodeDefinition(
            kind: "test::gated", description: "Takes one packet per gate permit.", categories: ["test"], paramSchema: ["type": "object"],
            inputs: [InputPin(name: "in", accepts: [.any])], outputs: [],
            factory: { _ in GatedSink(gate: gate, recorder: recorder) }
        ))
        registry.register(NodeDefinition(
            kind: "test::fail", description: "Forwards some packets, then throws.", categories: ["test"], paramSchema: ["type": "object"],
            inputs: [InputPin(name: "in", accepts: [.any])], outputs: [OutputPin(name: "out", produces: .passthrough)],
            factory: { _ in FailingNode(failAfter: failAfter) }
        ))
        registry.register(NodeDefinition(
            kind: "test::count", description: "Sends text packets 0..<count.", categories: ["test"],
            paramSchema: ["type": "object", "properties": ["count": ["type": "integer", "default": 100]]],
            inputs: [], outputs: [OutputPin(name: "out", produces: .text)],
            factory: { params in CountingSource(count: params["count"]?.intValue ?? 100, sent: sent) }
        ))
        return registry
    }
}

/// Thread-safe record of what a sink received.
final class Recorder: Sendable {
    private let state = Mutex<(count: Int, packets: [Packet], closed: Bool)>((0, [], false))
    private let keep: Int
    init(keep: Int = 10_000) { self.keep = keep }

    func record(_ packet: Packet) {
        state.withLock { state in
            state.count += 1
            if state.packets.count < keep { state.packets.append(packet) }
        }
    }
    func markClosed() { state.withLock { $0.closed = true } }
    var count: Int { state.withLock { $0.count } }
    var packets: [Packet] { state.withLock { $0.packets } }
    var sawEndOfStream: Bool { state.withLock { $0.closed } }
    /// Samples of the last audio frames received (kept frames only).
    var audioSamples: [Float] { packets.flatMap { packet -> [Float] in if case .audio(let frame) = packet { frame.samples } else { [] } } }

    /// Waits (yielding) until `condition` holds, up to a generous limit; returns whether it did.
    func wait(until condition: @Sendable (Recorder) -> Bool, limit: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return condition(self)
    }
}

struct RecordingSink: Node {
    let recorder: Recorder
    var inputPins: [InputPin] { [InputPin(name: "in", accepts: [.any])] }
    var outputPins: [OutputPin] { [] }
    func run(context: NodeContext) async throws {
        while let input = await context.next() {
            switch input {
            case .packet(_, let packet): recorder.record(packet)
            case .inputClosed: recorder.markClosed()
            case .paramsUpdate(let update): update.accept()
            case .timeout: continue
            }
        }
    }
}

/// Permits a gated sink hands out, one per packet; the test decides when.
final class Gate: Sendable {
    private let state = Mutex<(permits: Int, waiter: CheckedContinuation<Void, Never>?)>((0, nil))
    func open(_ permits: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.permits += permits
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
    func take() async {
        while true {
            let taken = state.withLock { state -> Bool in
                if state.permits > 0 { state.permits -= 1; return true }
                return false
            }
            if taken { return }
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    if state.permits > 0 { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }
}

struct GatedSink: Node {
    let gate: Gate
    let recorder: Recorder
    var inputPins: [InputPin] { [InputPin(name: "in", accepts: [.any])] }
    var outputPins: [OutputPin] { [] }
    func run(context: NodeContext) async throws {
        // One permit per packet taken; end of stream needs no permit.
        while let input = await context.next() {
            if case .packet(_, let packet) = input {
                await gate.take()
                recorder.record(packet)
            }
        }
    }
}

struct FailingNode: Node {
    let failAfter: Int
    var inputPins: [InputPin] { [InputPin(name: "in", accepts: [.any])] }
    var outputPins: [OutputPin] { [OutputPin(name: "out", produces: .passthrough)] }
    func run(context: NodeContext) async throws {
        var seen = 0
        while let input = await context.next() {
            guard case .packet(_, let packet) = input else { continue }
            seen += 1
            if seen > failAfter { throw StreamKitError.runtime("boom after \(failAfter) packets") }
            try await context.send(packet)
        }
    }
}

/// How many packets a counting source has handed to the engine so far.
final class SentCounter: Sendable {
    private let value = Atomic<Int>(0)
    func increment() { value.add(1, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

struct CountingSource: Node {
    let count: Int
    let sent: SentCounter
    var inputPins: [InputPin] { [] }
    var outputPins: [OutputPin] { [OutputPin(name: "out", produces: .text)] }
    func run(context: NodeContext) async throws {
        for index in 0..<count {
            try await context.send(.text(String(index)))
            sent.increment()
        }
    }
}

/// In-memory byte streams for oneshot runs.
final class MemorySource: ByteSource {
    private let chunks: Mutex<[[UInt8]]>
    init(_ bytes: [UInt8], chunkSize: Int) {
        var chunks: [[UInt8]] = []
        var offset = 0
        while offset < bytes.count {
            chunks.append(Array(bytes[offset..<min(bytes.count, offset + chunkSize)]))
            offset += chunkSize
        }
        self.chunks = Mutex(chunks.reversed())
    }
    func read() async throws -> [UInt8]? { chunks.withLock { $0.popLast() } }
}

final class MemorySink: ByteSink {
    private let storage = Mutex<[UInt8]>([])
    private let failAfterWrites: Int?
    private let writes = Mutex(0)
    init(failAfterWrites: Int? = nil) { self.failAfterWrites = failAfterWrites }
    func write(_ bytes: [UInt8]) async throws {
        let count = writes.withLock { $0 += 1; return $0 }
        if let failAfterWrites, count > failAfterWrites { throw CancellationError() }
        storage.withLock { $0 += bytes }
    }
    var bytes: [UInt8] { storage.withLock { $0 } }
}

/// Reads a repository file (samples) relative to this test file.
enum Repository {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}
