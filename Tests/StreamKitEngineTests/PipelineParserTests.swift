import Foundation
import Testing
@testable import StreamKitCore
@testable import StreamKitEngine

@Suite("Pipeline documents: the original's YAML forms")
struct PipelineParserTests {
    @Test func stepsBecomeAChainWithGeneratedNames() throws {
        let document = try PipelineParser.parse("""
            steps:
              - kind: streamkit::http_input
              - kind: audio::gain
                params: {gain: 0.5}
              - kind: streamkit::http_output
            """)
        #expect(document.mode == .dynamic, "the original's default mode is dynamic")
        #expect(document.nodes.map(\.id) == ["step_0", "step_1", "step_2"])
        #expect(document.nodes[1].params?["gain"]?.doubleValue == 0.5)
        #expect(document.links.map(\.id.description) == ["step_0.out -> step_1.in", "step_1.out -> step_2.in"])
        #expect(document.links.allSatisfy { $0.mode == .reliable })
    }

    @Test func needsFormsAndPinNaming() throws {
        let document = try PipelineParser.parse("""
            name: Graph
            description: every needs form
            mode: oneshot
            nodes:
              a: {kind: audio::tone}
              b: {kind: audio::tone}
              single:
                kind: audio::gain
                needs: a
              object:
                kind: audio::gain
                needs: {node: a, mode: best_effort}
              many:
                kind: audio::mixer
                needs: [a, {node: b, mode: best_effort}, single]
              none:
                kind: core::sink
                needs: null
            """)
        #expect(document.name == "Graph")
        #expect(document.description == "every needs form")
        #expect(document.mode == .oneshot)
        #expect(document.nodes.map(\.id) == ["a", "b", "single", "object", "many", "none"])
        let links = document.links.map { "\($0.id) \($0.mode.rawValue)" }
        #expect(links == [
            "a.out -> single.in reliable",
            "a.out -> object.in best_effort",
            "a.out -> many.in_0 reliable",
            "b.out -> many.in_1 best_effort",
            "single.out -> many.in_2 reliable",
        ])
        #expect(document.node("many")?.params?["num_inputs"]?.intValue == 3, "oneshot mixers get num_inputs injected")
    }

    @Test func dynamicMixersAreNotGivenAnInputCount() throws {
        let document = try PipelineParser.parse("""
            mode: dynamic
            nodes:
              a: {kind: audio::tone}
              b: {kind: audio::tone}
              mix: {kind: audio::mixer, needs: [a, b]}
            """)
        #expect(document.node("mix")?.params == nil)
    }

    @Test func jsonDocumentsAreAccepted() throws {
        let document = try PipelineParser.parse("""
            {"mode": "oneshot", "steps": [{"kind": "core::passthrough"}, {"kind": "audio::gain", "params": {"gain": 2}}]}
            """)
        #expect(document.mode == .oneshot)
        #expect(document.nodes.map(\.kind) == ["core::passthrough", "audio::gain"])
        #expect(document.nodes[1].params?["gain"]?.intValue == 2)
    }

    @Test func malformedYAMLNamesTheLine() {
        let error = #expect(throws: PipelineValidationError.self) {
            try PipelineParser.parse("steps:\n  - kind: audio::gain\n    params: {gain: [1, 2}\n")
        }
        #expect(error?.issues.first?.code == "invalid_yaml")
        #expect(error?.issues.first?.line == 3)
    }

    @Test func everyProblemIsReportedTogether() {
        let error = #expect(throws: PipelineValidationError.self) {
            try PipelineParser.parse("""
                mode: sometimes
                nodes:
                  source: {kind: audio::tone}
                  nokind: {params: {}}
                  gain:
                    kind: audio::gain
                    needs: sourse
                  other:
                    kind: core::sink
                    needs: {node: gain, mode: fast}
                """)
        }
        let codes = error?.issues.map(\.code) ?? []
        #expect(codes.contains("invalid_mode"))
        #expect(codes.contains("missing_kind"))
        #expect(codes.contains("unknown_dependency"))
        #expect(codes.contains("invalid_link_mode"))
        let dependency = error?.issues.first { $0.code == "unknown_dependency" }
        #expect(dependency?.node == "gain")
        #expect(dependency?.line == 7)
        #expect(dependency?.message.contains("did you mean 'source'") == true)
    }

    @Test func shapeErrors() {
        #expect(throws: PipelineValidationError.self) { try PipelineParser.parse("") }
        #expect(throws: PipelineValidationError.self) { try PipelineParser.parse("- a\n- b\n") }
        #expect(throws: PipelineValidationError.self) { try PipelineParser.parse("name: nothing\n") }
        #expect(throws: PipelineValidationError.self) { try PipelineParser.parse("steps: {a: 1}\nnodes: {}\n") }
        let duplicate = #expect(throws: PipelineValidationError.self) {
            try PipelineParser.parse("nodes:\n  a: {kind: core::sink}\n  a: {kind: core::sink}\n")
        }
        #expect(duplicate?.issues.first?.code == "duplicate_key")
        #expect(duplicate?.issues.first?.line == 2, "the first of the duplicated keys")
        #expect(duplicate?.issues.first?.message.contains("'a'") == true)
    }

    @Test func compiledJSONFormMatchesTheOriginal() throws {
        let document = try PipelineParser.parse("""
            mode: dynamic
            nodes:
              a: {kind: audio::tone}
              b: {kind: core::sink, needs: {node: a, mode: best_effort}}
            """)
        let json = document.json
        #expect(json["mode"]?.stringValue == "dynamic")
        #expect(json["nodes"]?["a"]?["kind"]?.stringValue == "audio::tone")
        let connection = json["connections"]?.arrayValue?.first
        #expect(connection?["from_node"]?.stringValue == "a")
        #expect(connection?["to_pin"]?.stringValue == "in")
        #expect(connection?["mode"]?.stringValue == "best_effort")
    }
}
