import Foundation
import StreamKitCore
@testable import StreamKitEngine
import Testing

/// A bounded random-mutation fuzzer for the pipeline reader (YAML and JSON), run in every test pass:
/// the sample pipelines, cut, spliced and seeded with anchors, aliases, brackets and odd bytes. Every
/// mutant must come back as a document or a `PipelineValidationError` — no crash, no runaway growth.
/// The generator is seeded, so a failure names a mutant that can be replayed.
@Suite("Pipeline reader fuzzing")
struct PipelineReaderFuzzTests {
    /// A small deterministic generator (SplitMix64), so every run tries the same mutants.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static var corpus: [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("samples/pipelines")
        let files = (FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? [])
            .filter { $0.pathExtension == "yml" }.sorted { $0.path < $1.path }
        let texts = files.compactMap { try? String(contentsOf: $0, encoding: .utf8) }
        return texts + [
            #"{"mode": "oneshot", "steps": [{"kind": "streamkit::http_input"}, {"kind": "audio::gain", "params": {"gain": 2}}, {"kind": "streamkit::http_output"}]}"#,
        ]
    }

    static let fragments = [
        "&a ", "*a", "&b [*a, *a, *a, *a]", "*b", "<<: *a\n", "? ", ": ", "[", "]", "{", "}", "- ", "\n  ", "\t", "\"", "'",
        "!!binary ", "!!str ", "%YAML 1.1\n", "---\n", "...\n", "\u{0}", "\u{FEFF}", "é", "\\u0000", "1e999", "-.inf", "~", "|\n", ">-\n",
        "needs: [", "kind: ", "params: ", "nodes:\n", "steps:\n",
    ]

    static func mutate(_ text: String, using random: inout SeededGenerator) -> String {
        var characters = Array(text)
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            let position = characters.isEmpty ? 0 : Int.random(in: 0...characters.count, using: &random)
            switch Int.random(in: 0..<5, using: &random) {
            case 0:
                characters.insert(contentsOf: Array(fragments.randomElement(using: &random) ?? ""), at: position)
            case 1 where !characters.isEmpty:
                let end = min(characters.count, position + Int.random(in: 1...40, using: &random))
                if position < end { characters.removeSubrange(position..<end) }
            case 2 where !characters.isEmpty:
                let start = Int.random(in: 0..<characters.count, using: &random)
                let slice = characters[start..<min(characters.count, start + Int.random(in: 1...80, using: &random))]
                characters.insert(contentsOf: Array(slice), at: position)
            case 3:
                characters.insert(Character(Unicode.Scalar(UInt8.random(in: 0...127, using: &random))), at: position)
            default:
                // An anchored list and aliases that multiply it.
                let depth = Int.random(in: 1...9, using: &random)
                var bomb = "\nz0: &z0 [x, x, x, x, x, x, x, x]\n"
                for level in 1...depth { bomb += "z\(level): &z\(level) [" + Array(repeating: "*z\(level - 1)", count: 9).joined(separator: ", ") + "]\n" }
                characters.insert(contentsOf: Array(bomb), at: characters.count)
            }
        }
        return String(characters)
    }

    @Test("3,000 mutants of the sample pipelines parse or fail with a validation error")
    func mutants() {
        var random = SeededGenerator(state: 0x5EED)
        let corpus = Self.corpus
        #expect(corpus.count > 20)
        var accepted = 0
        var refused: [String: Int] = [:]
        for _ in 0..<3_000 {
            guard let base = corpus.randomElement(using: &random) else { break }
            let mutant = Self.mutate(base, using: &random)
            do {
                let document = try PipelineParser.parse(mutant)
                accepted += 1
                // What was accepted stays within the budget it was checked against.
                #expect(document.nodes.count <= YAMLSizeGuard.maximumValues)
            } catch {
                for issue in error.issues { refused[issue.code, default: 0] += 1 }
            }
        }
        // The fuzzer exercised both sides and the size guard.
        #expect(accepted > 0)
        #expect(refused["document_too_large", default: 0] > 0)
        #expect(refused["invalid_yaml", default: 0] > 0)
    }

    @Test("mutated JSON values parse or throw")
    func jsonMutants() {
        var random = SeededGenerator(state: 0x1234)
        let base = #"{"type":"request","correlation_id":"c1","payload":{"action":"addnode","session_id":"s","node_id":"n","kind":"audio::gain","params":{"gain":[1,2,{"a":null}]}}}"#
        var parsed = 0
        for _ in 0..<2_000 {
            let mutant = Self.mutate(base, using: &random)
            if (try? JSONValue.parse(mutant)) != nil { parsed += 1 }
        }
        #expect(parsed > 0 && parsed < 2_000, "\(parsed) of 2000 mutants parsed")
        // Deep nesting is refused, not a stack overflow.
        #expect(throws: (any Error).self) { try JSONValue.parse(String(repeating: "[", count: 1_000_000)) }
    }
}
