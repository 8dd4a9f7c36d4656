import Foundation
import Testing
@testable import StreamKitCore
@testable import StreamKitEngine
import StreamKitNodes

@Suite("Oneshot runner: bytes in, bytes out, graphs, errors, backpressure")
struct OneshotRunnerTests {
    func randomBytes(_ count: Int, seed: UInt64 = 42) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    @Test func bytesComeBackUnchangedThroughAChain() async throws {
        let runner = OneshotRunner(registry: BuiltinNodes.makeRegistry())
        let plan = try runner.plan("steps:\n  - kind: streamkit::http_input\n" + String(repeating: "  - kind: core::passthrough\n", count: 16) + "  - kind: streamkit::http_output\n")
        let input = randomBytes(300_001)
        let sink = MemorySink()
        let summary = try await runner.run(plan, input: MemorySource(input, chunkSize: 4093), inputContentType: "application/x-test", output: sink)
        #expect(sink.bytes == input)
        #expect(summary.stats["step_8"]?.received == UInt64((input.count + 4092) / 4093))
        #expect(summary.finalStates.values.allSatisfy { $0.isFinal && !$0.isFailed })
        #expect(OneshotRunner.outputContentType(of: plan, inputContentType: "application/x-test") == "application/x-test")
    }

    @Test func fanOutAndFanInMixNumerically() async throws {
        // One tone, two gains (1.0 and 0.5), mixed back together: amplitude 0.2 × 1.5 = 0.3.
        let runner = OneshotRunner(registry: BuiltinNodes.makeRegistry())
        let plan = try runner.plan("""
            mode: oneshot
            nodes:
              tone: {kind: audio::tone, params: {waveform: sine, frequency: 1000, amplitude: 0.2, sample_rate: 48000, channels: 1, duration_ms: 500}}
              full: {kind: audio::gain, params: {gain: 1.0}, needs: tone}
              half: {kind: audio::gain, params: {gain: 0.5}, needs: tone}
              mix: {kind: audio::mixer, needs: [full, half]}
              mux: {kind: containers::wav::muxer, params: {sample_format: f32}, needs: mix}
              out: {kind: streamkit::http_output, needs: mux}
            """)
        let sink = MemorySink()
        _ = try await runner.run(plan, input: nil, output: sink)
        #expect(OneshotRunner.outputContentType(of: plan, inputContentType: nil) == "audio/wav")
        let samples = WAVTestReader.floatSamples(sink.bytes)
        #expect(samples.count == 24_000)
        let rms = (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(1, samples.count))).squareRoot()
        #expect(abs(rms - 0.3 / 2.0.squareRoot()) < 0.001, "rms \(rms)")
    }

    @Test func aNodeFailureEndsTheRunWithThatError() async throws {
        let runner = OneshotRunner(registry: TestNodes.registry(failAfter: 3))
        let plan = try runner.plan("mode: oneshot\nsteps:\n  - kind: test::count\n    params: {count: 100}\n  - kind: test::fail\n  - kind: core::sink\n")
        let error = await #expect(throws: OneshotError.self) { try await runner.run(plan, input: nil, output: nil) }
        guard case .nodeFailed(let node, let kind, let reason) = error else {
            Issue.record("expected nodeFailed, got \(String(describing: error))")
            return
        }
        #expect(node == "step_1")
        #expect(kind == "test::fail")
        #expect(reason.contains("boom after 3 packets"))
    }

    @Test func badMediaFailsTheRunAndNamesTheDemuxer() async throws {
        let runner = OneshotRunner(registry: BuiltinNodes.makeRegistry())
        let plan = try runner.plan("steps:\n  - kind: streamkit::http_input\n  - kind: containers::wav::demuxer\n  - kind: containers::wav::muxer\n  - kind: streamkit::http_output\n")
        let error = await #expect(throws: OneshotError.self) {
            try await runner.run(plan, input: MemorySource(Array("this is not a wav file at all".utf8), chunkSize: 7), output: MemorySink())
        }
        #expect(error?.description.contains("containers::wav::demuxer") == true)
        #expect(error?.description.contains("RIFF") == true, "\(String(describing: error))")
    }

    @Test func aConsumerThatGoesAwayStopsTheRun() async throws {
        let runner = OneshotRunner(registry: BuiltinNodes.makeRegistry())
        let plan = try runner.plan("steps:\n  - kind: audio::tone\n    params: {duration_ms: 0}\n  - kind: containers::wav::muxer\n  - kind: streamkit::http_output\n")
        // An endless tone: only the consumer going away can end this run.
        let error = await #expect(throws: OneshotError.self) {
            try await runner.run(plan, input: nil, output: MemorySink(failAfterWrites: 5))
        }
        #expect(error == .outputClosed)
    }

    @Test func aSlowConsumerHoldsAFastProducerAndMemoryStaysBounded() async throws {
        let gate = Gate()
        let recorder = Recorder()
        let sent = SentCounter()
        var configuration = EngineConfiguration()
        configuration.oneshotInputCapacity = 8
        let runner = OneshotRunner(registry: TestNodes.registry(recorder: recorder, gate: gate, sent: sent), configuration: configuration)
        let plan = try runner.plan("mode: oneshot\nsteps:\n  - kind: test::count\n    params: {count: 2000}\n  - kind: core::passthrough\n  - kind: test::gated\n")
        let run = Task { try await runner.run(plan, input: nil, output: nil) }
        gate.open(10)
        #expect(await recorder.wait { $0.count == 10 })
        // Give a producer that ignored backpressure every chance to run ahead, then check it did not:
        // with the gate shut, at most two queues of 8 (plus one parked send each and one packet in
        // the passthrough's hands) can be ahead of the consumer.
        try await Task.sleep(for: .milliseconds(100))
        #expect(recorder.count == 10)
        #expect(sent.count >= 10)
        #expect(sent.count <= 10 + 2 * (8 + 1) + 3, "sent \(sent.count) while the consumer took 10")
        gate.open(1990)
        let summary = try await run.value
        #expect(recorder.count == 2000)
        #expect(summary.stats["step_0"]?.sent == 2000)
        let texts = recorder.packets.compactMap { packet -> Int? in if case .text(let t) = packet { Int(t) } else { nil } }
        #expect(texts == Array(0..<2000), "order is kept")
    }

    @Test func endOfStreamReachesEveryNode() async throws {
        let recorder = Recorder()
        let runner = OneshotRunner(registry: TestNodes.registry(recorder: recorder))
        let plan = try runner.plan("mode: oneshot\nnodes:\n  src: {kind: test::count, params: {count: 5}}\n  a: {kind: core::passthrough, needs: src}\n  rec: {kind: test::record, needs: a}\n")
        let summary = try await runner.run(plan, input: nil, output: nil)
        #expect(recorder.count == 5)
        #expect(recorder.sawEndOfStream)
        #expect(summary.finalStates["src"] == .stopped(reason: .completed))
        #expect(summary.finalStates["a"] == .stopped(reason: .inputClosed))
    }

    @Test func inputAndOutputMustFitThePipeline() async throws {
        let runner = OneshotRunner(registry: BuiltinNodes.makeRegistry())
        let plan = try runner.plan("steps:\n  - kind: streamkit::http_input\n  - kind: streamkit::http_output\n")
        await #expect(throws: OneshotError.self) { try await runner.run(plan, input: nil, output: MemorySink()) }
        let noInput = try runner.plan("steps:\n  - kind: audio::tone\n  - kind: core::sink\n")
        await #expect(throws: OneshotError.self) { try await runner.run(noInput, input: MemorySource([1], chunkSize: 1), output: nil) }
    }

    @Test func outputContentTypePriority() throws {
        let runner = OneshotRunner(registry: BuiltinNodes.makeRegistry())
        let declared = try runner.plan("steps:\n  - kind: audio::tone\n  - kind: containers::wav::muxer\n  - kind: streamkit::http_output\n    params: {content_type: audio/x-custom}\n")
        #expect(OneshotRunner.outputContentType(of: declared, inputContentType: "x/y") == "audio/x-custom")
        let fromNode = try runner.plan("steps:\n  - kind: audio::tone\n  - kind: containers::wav::muxer\n  - kind: streamkit::http_output\n")
        #expect(OneshotRunner.outputContentType(of: fromNode, inputContentType: "x/y") == "audio/wav")
        let fallback = try runner.plan("steps:\n  - kind: streamkit::http_input\n  - kind: streamkit::http_output\n")
        #expect(OneshotRunner.outputContentType(of: fallback, inputContentType: nil) == "application/octet-stream")
    }
}

/// Reads the samples of a WAV made by our muxer (44-byte s16 or 58-byte f32 header).
enum WAVTestReader {
    static func floatSamples(_ bytes: [UInt8]) -> [Float] {
        guard bytes.count >= 58, bytes[20] == 3 else { return [] }
        let payload = bytes[58...]
        return stride(from: payload.startIndex, to: payload.endIndex - 3, by: 4).map { index in
            Float(bitPattern: UInt32(payload[index]) | UInt32(payload[index + 1]) << 8 | UInt32(payload[index + 2]) << 16 | UInt32(payload[index + 3]) << 24)
        }
    }
}

@Suite("Oneshot plan cache")
struct PlanCacheTests {
    @Test func plansAreReusedUntilTheRegistryChanges() throws {
        let registry = BuiltinNodes.makeRegistry()
        let runner = OneshotRunner(registry: registry)
        let yaml = "steps:\n  - kind: test::late\n    params: {count: 3}\n  - kind: core::sink\n"
        #expect(throws: PipelineValidationError.self) { try runner.plan(yaml) }
        registry.register(NodeDefinition(
            kind: "test::late", description: "", categories: [], paramSchema: ["type": "object"], inputs: [],
            outputs: [OutputPin(name: "out", produces: .text)], factory: { _ in CountingSource(count: 3, sent: SentCounter()) }
        ))
        let first = try runner.plan(yaml)
        let second = try runner.plan(yaml)
        #expect(first.nodes.map(\.id) == second.nodes.map(\.id))
        registry.unregister("test::late")
        #expect(throws: PipelineValidationError.self, "a cached plan must not outlive the kind it uses") { try runner.plan(yaml) }
    }
}
