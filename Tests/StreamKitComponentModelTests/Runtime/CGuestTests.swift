import Foundation
import Testing

@testable import StreamKitComponentModel

/// A C guest compiled with zig and wrapped by `wasm-tools component new`: the shape of real
/// plugin components (main module, shim with an indirect-call table, fixup module running
/// `_initialize`, a nested component exporting the interface and its resource).
@Suite(.serialized)
struct CGuestTests {
    static let api = "test:guest/api@0.1.0"
    static let bytes = Result { try WasmTools.cGuestComponent(fixture: "c-guest", world: "guest") }

    func instantiate(log: Received) throws -> ComponentInstance {
        var linker = ComponentLinker()
        linker.define(interface: "test:guest/host@0.1.0", function: "log", type: ComponentFunctionType(parameters: [.init("message", .string)])) { arguments in
            log.values.append(arguments[0])
            return []
        }
        // A call takes well under a millisecond of CPU, but WasmKit translates guest code on its
        // first call, which counts as that call's CPU time: ~50 ms for snprintf & co. in a debug build.
        return try ComponentInstance(Component(bytes: try Self.bytes.get()), linker: linker, engine: sharedEngine, limits: ComponentLimits(cpuBudget: .milliseconds(500)))
    }

    static let shape = ComponentValueType.variant([
        .init("circle", .f32), .init("rect", .record([.init("x", .f32), .init("y", .f32)])), .init("none"),
    ])

    @Test func describeLiftsAndLowersCompoundValues() throws {
        let log = Received()
        let instance = try instantiate(log: log)
        let describe = try instance.function(
            "describe", in: Self.api,
            expecting: ComponentFunctionType(parameters: [.init("s", Self.shape), .init("tags", .list(.string))], result: .string))
        let rect = try instance.call(describe, [.variant("rect", .record([.f32(2), .f32(3)])), .list([.string("a"), .string("bb")])])
        #expect(rect == [.string("rect 2.0x3.0 #a #bb")])
        #expect(log.values == [.string("rect 2.0x3.0 #a #bb")])
        #expect(try instance.call(describe, [.variant("circle", .f32(1.5)), .list([])]) == [.string("circle r=1.50")])
        #expect(try instance.call(describe, [.variant("none", nil), .list([.string("x")])]) == [.string("none #x")])
    }

    @Test func guestResourceThroughNestedComponent() throws {
        let instance = try instantiate(log: Received())
        let counter = try #require(instance.resource("counter", in: Self.api))
        let results = try instance.call(try instance.function("[constructor]counter", in: Self.api), [.u32(10)])
        guard case .own(let handle) = results.first else {
            Issue.record("constructor returned \(results)")
            return
        }
        #expect(handle.type == counter)
        let bump = try instance.function("[method]counter.bump", in: Self.api)
        #expect(try instance.call(bump, [.borrow(handle), .u32(5)]) == [.u32(15)])
        #expect(try instance.call(bump, [.borrow(handle), .u32(1)]) == [.u32(16)])
        try instance.drop(handle)
    }

    @Test func manyCallsDoNotLeakGuestMemory() throws {
        let instance = try instantiate(log: Received())
        let describe = try instance.function("describe", in: Self.api)
        let arguments: [ComponentValue] = [.variant("circle", .f32(1)), .list([.string("tag")])]
        _ = try instance.call(describe, arguments)
        let clock = ContinuousClock()
        let calls = 2000
        let elapsed = try clock.measure {
            for _ in 0..<calls { _ = try instance.call(describe, arguments) }
        }
        print("describe(): \(elapsed / calls) per call, \(Double(instance.state.lastCallCPUTime) / 1e3) µs of guest CPU (snprintf + post-return; the host log is not counted)")
        // post-return frees the result and the guest frees the arguments: the instance keeps
        // working on its initial memory (a leak of ~40 bytes a call would still fit, so check
        // the handle table too).
        #expect(instance.liveHandleCount == 0)
    }

    @Test func hostBuiltAgainstAnotherWITIsRefused() throws {
        var linker = ComponentLinker()
        linker.define(interface: "test:guest/host@0.1.0", function: "log", type: ComponentFunctionType(parameters: [.init("message", .list(.u8))])) { _ in [] }
        let error = ComponentError.expecting(.link) { _ = try ComponentInstance(Component(bytes: try Self.bytes.get()), linker: linker, engine: sharedEngine) }
        #expect(error?.message.contains("import `test:guest/host@0.1.0#log`: parameter message: component has string, host has list<u8>") == true, "\(String(describing: error))")
    }
}
