import Foundation
import Logging
@testable import SkitCommands
import StreamKitComponentModel
import StreamKitCore
import StreamKitWasmPlugins
import Testing

/// What `skit bench plugin` times on a WASM plugin must be the real work: the direct
/// `process()` call returns the gained frame, and the WasmKit floor it is compared with really
/// runs the loop (and, in the call shape, really calls the host).
@Suite("skit bench plugin: the measured calls do the work")
struct PluginBenchTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func ramp(_ count: Int) -> [Float] { (0..<count).map { Float($0 % 200) / 400 - 0.25 } }

    @Test func theBareLoopMultipliesAndTheCallShapeCallsTheHostOncePerCall() throws {
        let input = Self.ramp(960)
        let baseline = try WasmBaseline(samples: input, gain: 2)
        try baseline.loopOnly()
        #expect(baseline.samples == input.map { $0 * 2 })
        #expect(baseline.hostCalls == 0)
        try baseline.callShape()
        try baseline.callShape()
        #expect(baseline.samples == input.map { $0 * 8 })
        #expect(baseline.hostCalls == 2)
    }

    @Test func theDirectProcessCallReturnsTheGainedFrameAndARefusalLeavesTheInstanceUsable() throws {
        let path = Self.repo.appendingPathComponent("examples/plugins/gain-wasm-c/build/gain_filter_c.wasm").path
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("\(path) is missing: run `make wasm-examples` (make test does)")
            return
        }
        var logger = Logger(label: "test.bench")
        logger.logLevel = .error
        let library = try WasmPluginLibrary.load(
            bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), file: "gain_filter_c.wasm",
            engine: ComponentEngine(), limits: ComponentLimits(), loadBudget: .seconds(30), logger: logger)
        let node = try WasmNodeInstance(library: library, params: try JSONValue.parse(#"{"gain_db": 6}"#), logger: logger)
        defer { node.finish() }
        let input = Self.ramp(960)
        let frame = Packet.audio(AudioFrame(sampleRate: 48_000, channels: 1, samples: input))

        let sent = try node.process(frame, on: "in")
        #expect(sent.count == 1)
        #expect(sent.first?.pin == "out")
        guard case .audio(let output)? = sent.first?.packet else {
            Issue.record("the plugin sent \(sent) instead of one audio frame")
            return
        }
        #expect(output.samples.count == 960 && output.sampleRate == 48_000 && output.channels == 1)
        let gain = Float(pow(10, 6.0 / 20))
        let worst = zip(output.samples, input).map { abs($0 - $1 * gain) }.max() ?? 1
        #expect(worst < 1e-5, "largest difference from input × \(gain): \(worst)")

        // The guest refuses a text packet with an `err`: the node fails, but the instance is not
        // broken (cleanup still runs) and takes the next call.
        do {
            _ = try node.process(.text("hello"), on: "in")
            Issue.record("a text packet was accepted")
        } catch {
            #expect(error.broken == false)
            #expect(error.description.contains("only accepts audio"), "\(error)")
        }
        try node.updateParams(try JSONValue.parse(#"{"gain_db": 0}"#))
        let unity = try node.process(frame, on: "in")
        guard case .audio(let same)? = unity.first?.packet else {
            Issue.record("no audio after the refusal: \(unity)")
            return
        }
        #expect(same.samples == input)
    }
}
