import Foundation
import Testing

@testable import StreamKitComponentModel

final class LogLines {
    var lines: [(WASIPreview2.OutputStreamKind, String)] = []
}

/// A real WASI 0.2.9 guest: CPython built by componentize-py (14 core modules, 27 WASI
/// interfaces). It prints, reads the clocks and random numbers, tries to open a file and
/// reads its environment; wasmtime (the reference host, with an empty WASI context) returns
/// the same string this host must.
@Suite(.serialized)
struct WASIPreview2Tests {
    static let python = Result { try WasmTools.pythonGuestComponent(fixture: "python-guest", world: "hello") }

    @Test func pythonGuestRunsWithNothingGranted() throws {
        let component = try Component(bytes: try Self.python.get())
        #expect(component.importNames.contains("wasi:cli/stdout@0.2.9"), "\(component.importNames)")
        let logs = LogLines()
        var linker = ComponentLinker()
        let wasi = WASIPreview2(configuration: .init(log: { logs.lines.append(($0, $1)) }))
        wasi.define(in: &linker)
        // CPython's start-up in a debug-build interpreter is far beyond a 50 ms budget.
        let limits = ComponentLimits(cpuBudget: .seconds(600), memoryLimit: 256 << 20)
        let clock = ContinuousClock()
        var instance: ComponentInstance?
        let instantiation = try clock.measure { instance = try ComponentInstance(component, linker: linker, engine: sharedEngine, limits: limits) }
        let python = try #require(instance)
        let run = try python.function("run", expecting: ComponentFunctionType(parameters: [.init("name", .string)], result: .string))
        var result: [ComponentValue] = []
        let call = try clock.measure { result = try python.call(run, [.string("swift")]) }
        print("python guest: instantiation \(instantiation), first call \(call)")
        #expect(result == [.string("swift: t>0=True r<1=True fs denied env=0")])
        wasi.flush()
        #expect(logs.lines.contains { $0.0 == .stdout && $0.1 == "hello from python, swift" }, "\(logs.lines)")
        #expect(logs.lines.contains { $0.0 == .stderr && $0.1 == "to stderr" }, "\(logs.lines)")
    }
}
