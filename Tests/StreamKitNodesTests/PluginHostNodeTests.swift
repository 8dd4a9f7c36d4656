import Foundation
import StreamKitCore
import StreamKitPluginHost
import Synchronization
import Testing

/// The plugin host's generic node driven with a kind of plugin that exists only here: what any
/// kind (native, WASM, or one living in another process) gets from the host just by conforming
/// to `PluginLibrary` and `PluginInstance`.
@Suite("Plugin host node", .timeLimit(.minutes(1)))
struct PluginHostNodeTests {
    @Test("its own thread, prepared first; outputs in order; an undeclared pin is dropped, counted and warned about once; flush at the end; finish once")
    func lifecycle() async throws {
        let library = EchoLibrary()
        let harness = NodeHarness(try library.nodeDefinition().factory([:]), kind: library.kind)
        await harness.feed(.text("a"))
        await harness.feed(.text("stray"))
        await harness.feed(.text("stray"))
        await harness.feed(.text("b"))
        #expect(await harness.nextOutput()?.textValue == "a")
        #expect(await harness.nextOutput()?.textValue == "b")
        harness.end()
        #expect(await harness.nextOutput()?.textValue == "flushed")
        #expect(try await harness.result().get() == ())
        let record = library.record.withLock { $0 }
        #expect(record.prepared == 1)
        #expect(record.calledOnPreparedThread)
        #expect(record.warnings.count == 1)
        #expect(record.warnings.first?.contains("unknown output pin 'nowhere'") == true, "\(record.warnings)")
        #expect(record.finished == 1)
    }

    @Test("a refusal answers the update and the node goes on; a fatal one fails the node with its error, and finish still runs once")
    func refusals() async throws {
        let library = EchoLibrary()
        let harness = NodeHarness(try library.nodeDefinition().factory([:]), kind: library.kind, mode: .dynamic)
        await harness.feed(.text("one"))
        #expect(await harness.nextOutput()?.textValue == "one")
        guard case .failure(let refusal) = await harness.tune(["refuse": true]) else {
            Issue.record("the update was accepted")
            return
        }
        #expect("\(refusal)".contains("echo refuses"), "\(refusal)")
        await harness.feed(.text("two"))
        #expect(await harness.nextOutput()?.textValue == "two")
        _ = await harness.tune(["break": true])
        guard case .failure(let error) = await harness.result() else {
            Issue.record("the node went on after a fatal refusal")
            return
        }
        #expect(error as? StreamKitError == .plugin("echo broke"), "\(error)")
        #expect(library.record.withLock { $0.finished } == 1)
    }
}

/// What the echo plugin saw, for the tests to check.
struct EchoRecord: Sendable {
    var prepared = 0
    var preparedThread: pthread_t?
    var calledOnPreparedThread = true
    var warnings: [String] = []
    var finished = 0
}

/// A kind of plugin in memory: text in `in` comes back on `out`; `stray` goes to a pin it does not declare.
final class EchoLibrary: PluginLibrary {
    let record = Mutex(EchoRecord())
    var kind: String { "plugin::test::echo" }
    var summary: String { "echo" }
    var categories: [String] { ["test"] }
    var paramSchema: JSONValue { [:] }
    var inputPins: [InputPin] { [InputPin(name: "in", accepts: [.text])] }
    var outputPins: [OutputPin] { [OutputPin(name: "out", produces: .text)] }
    var threadName: String { "skit-echo" }

    func prepareThread() {
        record.withLock { record in
            record.prepared += 1
            record.preparedThread = pthread_self()
        }
    }

    func makeInstance(params: JSONValue, node: NodeContext) throws(StreamKitError) -> EchoInstance {
        EchoInstance(library: self)
    }
}

final class EchoInstance: PluginInstance {
    let library: EchoLibrary

    init(library: EchoLibrary) {
        self.library = library
    }

    func process(_ packet: Packet, on pin: String) throws(StreamKitError) -> [PluginOutput] {
        library.record.withLock { record in
            if let thread = record.preparedThread, pthread_equal(thread, pthread_self()) == 0 { record.calledOnPreparedThread = false }
        }
        guard case .text(let text) = packet else { throw .plugin("echo takes text") }
        return [PluginOutput(pin: text == "stray" ? "nowhere" : "out", packet: packet)]
    }

    func updateParams(_ params: JSONValue) throws(PluginParamsRefusal) {
        if params["break"] == true { throw PluginParamsRefusal(message: "echo broke", fatal: .plugin("echo broke")) }
        if params["refuse"] == true { throw PluginParamsRefusal(message: "echo refuses these params") }
    }

    func flush() throws(StreamKitError) -> [PluginOutput] {
        [PluginOutput(pin: "out", packet: .text("flushed"))]
    }

    func finish() {
        library.record.withLock { $0.finished += 1 }
    }

    func hostWarning(_ message: String) {
        library.record.withLock { $0.warnings.append(message) }
    }
}
