import Foundation
import Testing
@testable import StreamKitCore
@testable import StreamKitEngine
import StreamKitNodes

@Suite("Pipeline validation: errors a person can act on")
struct PipelineCompilerTests {
    let registry = BuiltinNodes.makeRegistry()

    func compile(_ yaml: String) throws -> PipelinePlan {
        try PipelineCompiler.compile(try PipelineParser.parse(yaml), registry: registry)
    }

    func issues(_ yaml: String) -> [PipelineIssue] {
        do {
            _ = try compile(yaml)
            return []
        } catch let error as PipelineValidationError {
            return error.issues
        } catch {
            return [PipelineIssue(code: "unexpected", message: "\(error)")]
        }
    }

    @Test func unknownKindSuggestsTheClosest() {
        let found = issues("steps:\n  - kind: audio::tone\n  - kind: audio::gian\n")
        #expect(found.count == 1)
        #expect(found.first?.code == "unknown_kind")
        #expect(found.first?.node == "step_1")
        #expect(found.first?.line == 3)
        #expect(found.first?.message.contains("did you mean 'audio::gain'") == true)
    }

    @Test func badParamsNameTheNodeAndTheField() {
        let found = issues("steps:\n  - kind: audio::tone\n  - kind: audio::gain\n    params: {gain: 9}\n")
        #expect(found.first?.code == "invalid_params")
        #expect(found.first?.node == "step_1")
        #expect(found.first?.message.contains("params.gain") == true)
        #expect(found.first?.message.contains("4") == true, "the message says what was expected: \(found.first?.message ?? "")")
    }

    @Test func unknownParamsAreWarningsNotErrors() throws {
        let plan = try compile("mode: oneshot\nsteps:\n  - kind: audio::tone\n  - kind: audio::gain\n    params: {gian: 2}\n  - kind: core::sink\n")
        #expect(plan.warnings.contains { $0.code == "unknown_param" && $0.message.contains("gain") })
    }

    @Test func unknownPinListsTheRealOnes() throws {
        var document = try PipelineParser.parse("nodes:\n  a: {kind: audio::tone}\n  b: {kind: audio::gain}\n")
        document.links = [.init(from: "a", fromPin: "audio", to: "b", toPin: "input")]
        let error = #expect(throws: PipelineValidationError.self) { try PipelineCompiler.compile(document, registry: registry) }
        let messages = error?.issues.map(\.message) ?? []
        #expect(error?.issues.count == 2)
        #expect(messages.contains { $0.contains("no output pin 'audio'") && $0.contains("outputs: out") })
        #expect(messages.contains { $0.contains("no input pin 'input'") && $0.contains("inputs: in") })
    }

    @Test func typeMismatchShowsBothTypes() {
        let found = issues("steps:\n  - kind: core::text_chunker\n  - kind: audio::gain\n")
        #expect(found.count == 1)
        #expect(found.first?.code == "type_mismatch")
        #expect(found.first?.node == "step_1")
        #expect(found.first?.pin == "in")
        #expect(found.first?.message.contains("produces Text") == true)
        #expect(found.first?.message.contains("accepts RawAudio(* Hz, * ch, F32)") == true)
    }

    @Test func passthroughTypesResolveThroughChains() throws {
        _ = try compile("mode: oneshot\nsteps:\n  - kind: audio::tone\n  - kind: core::passthrough\n  - kind: core::passthrough\n  - kind: audio::gain\n  - kind: core::sink\n")
        let found = issues("mode: oneshot\nsteps:\n  - kind: core::text_chunker\n  - kind: core::passthrough\n  - kind: core::passthrough\n  - kind: audio::gain\n")
        #expect(found.map(\.code) == ["type_mismatch"], "Text flowing through two passthroughs still cannot feed a gain")
    }

    @Test func unresolvablePassthroughIsAnErrorInOneshot() {
        let found = issues("mode: oneshot\nsteps:\n  - kind: core::passthrough\n  - kind: audio::gain\n")
        #expect(found.map(\.code) == ["unresolved_type"])
    }

    @Test func cyclesNameTheirNodes() {
        let found = issues("nodes:\n  a: {kind: core::passthrough, needs: c}\n  b: {kind: core::passthrough, needs: a}\n  c: {kind: core::passthrough, needs: b}\n")
        let cycle = found.first { $0.code == "cycle" }
        #expect(cycle != nil)
        for name in ["a", "b", "c"] { #expect(cycle?.message.contains(name) == true) }
        let selfLoop = issues("nodes:\n  a: {kind: core::passthrough, needs: a}\n")
        #expect(selfLoop.contains { $0.code == "cycle" && $0.message.contains("a -> a") })
    }

    @Test func duplicateNamesAreRefused() {
        let document = PipelineDocument(mode: .oneshot, nodes: [.init(id: "x", kind: "core::sink"), .init(id: "x", kind: "core::sink")])
        let error = #expect(throws: PipelineValidationError.self) { try PipelineCompiler.compile(document, registry: registry) }
        #expect(error?.issues.first?.code == "duplicate_node")
    }

    @Test func aPinTakesOneLink() {
        let found = issues("mode: oneshot\nnodes:\n  a: {kind: audio::tone}\n  b: {kind: audio::tone}\n  g: {kind: audio::gain}\n")
        #expect(found.isEmpty)
        var document = PipelineDocument(mode: .oneshot, nodes: [
            .init(id: "a", kind: "audio::tone"), .init(id: "b", kind: "audio::tone"), .init(id: "g", kind: "audio::gain"),
        ])
        document.links = [.init(from: "a", to: "g"), .init(from: "b", to: "g")]
        let error = #expect(throws: PipelineValidationError.self) { try PipelineCompiler.compile(document, registry: registry) }
        #expect(error?.issues.first?.code == "pin_taken")
        #expect(error?.issues.first?.message.contains("audio::mixer") == true)
    }

    @Test func oneshotOnlyKindsAreRefusedInDynamicPipelines() {
        let found = issues("mode: dynamic\nsteps:\n  - kind: streamkit::http_input\n  - kind: core::sink\n")
        #expect(found.first?.code == "oneshot_only")
    }

    @Test func allProblemsOfADocumentComeTogether() {
        let found = issues("""
            mode: oneshot
            nodes:
              src: {kind: audio::toon}
              gain: {kind: audio::gain, params: {gain: -1}, needs: text}
              text: {kind: core::text_chunker}
              loop1: {kind: core::passthrough, needs: loop2}
              loop2: {kind: core::passthrough, needs: loop1}
            """)
        let codes = Set(found.map(\.code))
        #expect(codes == ["unknown_kind", "invalid_params", "cycle"], "got \(found)")
    }

    @Test func fanOutIsAllowedInOneshot() throws {
        let plan = try compile("mode: oneshot\nnodes:\n  t: {kind: audio::tone}\n  a: {kind: core::sink, needs: t}\n  b: {kind: core::sink, needs: t}\n")
        #expect(plan.links.count == 2)
    }

    @Test("every bundled sample pipeline of built-in nodes validates", arguments: SamplePipelines.builtInOnly)
    func samplesValidate(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let plan = try compile(text)
        #expect(!plan.nodes.isEmpty)
    }

    @Test func theOriginalsNonMLSamplesLoadUnchanged() throws {
        // Written the way the original's load-test pipelines are written (steps, no params on passthroughs).
        let passthrough = """
            # skit:input_asset_tags=speech
            name: HTTP Passthrough
            description: Oneshot passthrough for load testing the HTTP path
            mode: oneshot
            steps:
              - kind: streamkit::http_input
              - kind: core::passthrough
              - kind: streamkit::http_output
            """
        let plan = try compile(passthrough)
        #expect(plan.nodes.map(\.kind) == ["streamkit::http_input", "core::passthrough", "streamkit::http_output"])
        let chain = "mode: oneshot\nsteps:\n  - kind: streamkit::http_input\n" + String(repeating: "  - kind: core::passthrough\n", count: 16) + "  - kind: streamkit::http_output\n"
        #expect(try compile(chain).nodes.count == 18)
        // A resampler with the `channels` key the original's samples pass, and a sink.
        _ = try compile("mode: dynamic\nsteps:\n  - kind: audio::tone\n  - kind: audio::resampler\n    params:\n      target_sample_rate: 16000\n      channels: 1\n  - kind: core::sink\n")
    }
}

enum SamplePipelines {
    static var all: [String] {
        let root = Repository.root.appendingPathComponent("samples/pipelines")
        let files = (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String]) ?? []
        return files.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted().map { root.appendingPathComponent($0).path }
    }

    /// Samples that need no plugin (the speech samples are validated with their plugins loaded,
    /// in SpeechPluginTests).
    static var builtInOnly: [String] {
        all.filter { path in !((try? String(contentsOfFile: path, encoding: .utf8))?.contains("kind: plugin::") ?? false) }
    }
}
