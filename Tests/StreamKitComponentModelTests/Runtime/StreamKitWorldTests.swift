import Foundation
import Testing

@testable import StreamKitComponentModel

/// The shape the StreamKit binding will need: a componentize-py plugin of the
/// `streamkit:plugin@0.1.0` world (transcribed in Fixtures/streamkit-python-plugin/plugin.wit),
/// driven through this module's API alone. Host-side types are spelled out here as the
/// binding would.
@Suite(.serialized)
struct StreamKitWorldTests {
    static let plugin = Result { try WasmTools.pythonGuestComponent(fixture: "streamkit-python-plugin", wit: "plugin.wit", world: "plugin") }
    static let node = "streamkit:plugin/node@0.1.0"
    static let host = "streamkit:plugin/host@0.1.0"

    static let audioFormat = ComponentValueType.record([
        .init("sample-rate", .u32), .init("channels", .u16), .init("sample-format", .enumeration(["float32", "s16-le"])),
    ])
    static let packetType = ComponentValueType.variant([
        .init("raw-audio", audioFormat), .init("opus-audio"), .init("text"), .init("binary"), .init("custom", .string), .init("any"),
    ])
    static let nodeMetadata = ComponentValueType.record([
        .init("kind", .string),
        .init("inputs", .list(.record([.init("name", .string), .init("accepts-types", .list(packetType))]))),
        .init("outputs", .list(.record([.init("name", .string), .init("produces-type", packetType)]))),
        .init("param-schema", .string),
        .init("categories", .list(.string)),
    ])
    static let packet = ComponentValueType.variant([
        .init("audio", .record([.init("sample-rate", .u32), .init("channels", .u16), .init("samples", .list(.f32))])),
        .init("text", .string),
        .init("binary", .list(.u8)),
        .init("custom", .record([.init("type-id", .string), .init("encoding", .enumeration(["json"])), .init("data", .string)])),
    ])

    final class Outputs {
        var packets: [(String, ComponentValue)] = []
        var logs: [String] = []
    }

    func linker(_ outputs: Outputs) -> ComponentLinker {
        var linker = ComponentLinker()
        WASIPreview2().define(in: &linker)
        linker.define(interface: Self.host, function: "send-output",
                      type: .init(parameters: [.init("pin-name", .string), .init("packet", Self.packet)], result: .result(ok: nil, error: .string))) { arguments in
            guard case .string(let pin) = arguments[0] else { return [.error(.string("bad pin"))] }
            outputs.packets.append((pin, arguments[1]))
            return [.ok(nil)]
        }
        linker.define(interface: Self.host, function: "log",
                      type: .init(parameters: [.init("level", .enumeration(["debug", "info", "warn", "error"])), .init("message", .string)])) { arguments in
            if case .string(let message) = arguments[1] { outputs.logs.append(message) }
            return []
        }
        return linker
    }

    @Test func gainPluginLifecycle() throws {
        let outputs = Outputs()
        // metadata() initialises CPython: it gets the start-up budget, as in the server's loader.
        // `process` gets a per-call budget that a debug build of the interpreter needs.
        let limits = ComponentLimits(cpuBudget: .seconds(2), memoryLimit: 256 << 20)
        let instance = try ComponentInstance(Component(bytes: try Self.plugin.get()), linker: linker(outputs), engine: sharedEngine, limits: limits)

        let metadata = try instance.call(try instance.function("metadata", in: Self.node, expecting: .init(result: Self.nodeMetadata)), startup: true)
        guard case .record(let fields)? = metadata.first else {
            Issue.record("metadata returned \(metadata)")
            return
        }
        #expect(fields[0] == .string("py_gain"))
        #expect(fields[4] == .list([.string("audio"), .string("filters")]))

        let nodeInstance = try #require(instance.resource("node-instance", in: Self.node))
        let constructor = try instance.function("[constructor]node-instance", in: Self.node,
                                                expecting: .init(parameters: [.init("params", .option(.string))], result: .own(nodeInstance)))
        guard case .own(let handle)? = try instance.call(constructor, [.option(.string(#"{"gain": 2.0}"#))], startup: true).first else {
            Issue.record("constructor returned no handle")
            return
        }
        #expect(outputs.logs == ["gain 2.0"])

        let process = try instance.function("[method]node-instance.process", in: Self.node, expecting: .init(
            parameters: [.init("self", .borrow(nodeInstance)), .init("input-pin", .string), .init("packet", Self.packet)],
            result: .result(ok: nil, error: .string)))
        let samples = (0..<960).map { ComponentValue.f32(Float($0) / 960) }
        let frame = ComponentValue.variant("audio", .record([.u32(48000), .u16(1), .list(samples)]))
        let clock = ContinuousClock()
        var result: [ComponentValue] = []
        let elapsed = try clock.measure { result = try instance.call(process, [.borrow(handle), .string("in"), frame]) }
        print("python gain process(960 samples): \(elapsed), \(Double(instance.state.lastCallCPUTime) / 1e6) ms of guest CPU (first call)")
        #expect(result == [.ok(nil)])
        #expect(outputs.packets.count == 1)
        #expect(outputs.packets.first?.0 == "out")
        #expect(outputs.packets.first?.1 == .variant("audio", .record([.u32(48000), .u16(1), .list((0..<960).map { .f32(Float($0) / 960 * 2) })])))

        for call in 2...4 {
            outputs.packets.removeAll()
            #expect(try instance.call(process, [.borrow(handle), .string("in"), frame]) == [.ok(nil)])
            print("python gain process(960 samples), call \(call): \(Double(instance.state.lastCallCPUTime) / 1e6) ms of guest CPU")
        }

        let refused = try instance.call(process, [.borrow(handle), .string("in"), .variant("text", .string("hi"))])
        #expect(refused == [.error(.string("text not accepted on in"))])

        try instance.call(try instance.function("[method]node-instance.cleanup", in: Self.node), [.borrow(handle)])
        try instance.drop(handle)
        #expect(instance.liveHandleCount == 0)
    }

    @Test func pluginBuiltAgainstAnotherWITIsRefused() throws {
        var linker = linker(Outputs())
        // A host whose packet has a fifth case: the plugin's host import no longer matches.
        var cases: [ComponentValueType.Case] = []
        if case .variant(let existing) = Self.packet { cases = existing + [.init("transcription", .string)] }
        linker.define(interface: Self.host, function: "send-output",
                      type: .init(parameters: [.init("pin-name", .string), .init("packet", .variant(cases))], result: .result(ok: nil, error: .string))) { _ in [] }
        let error = ComponentError.expecting(.link) {
            _ = try ComponentInstance(Component(bytes: try Self.plugin.get()), linker: linker, engine: sharedEngine)
        }
        #expect(error?.message.contains("send-output`: parameter packet: variant: component has 4 cases, host has 5 (component lacks `transcription`)") == true,
                "\(String(describing: error))")
    }
}
