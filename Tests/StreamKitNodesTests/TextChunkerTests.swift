import Foundation
import StreamKitCore
import StreamKitEngine
import Testing
@testable import StreamKitNodes

@Suite("core::text_chunker")
struct TextChunkerTests {
    /// `text` as Text packets of `size` characters each.
    private static func textPieces(_ text: String, size: Int) -> [Packet] {
        var packets: [Packet] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            packets.append(.text(String(rest.prefix(size))))
            rest = rest.dropFirst(size)
        }
        return packets
    }

    /// `text`'s UTF-8 bytes as Binary packets whose sizes cycle through `pattern`.
    private static func bytePieces(_ text: String, pattern: [Int]) -> [Packet] {
        TestBytes.split(Array(text.utf8), pattern: pattern).map { .binary(BinaryPacket(data: $0, contentType: "text/plain")) }
    }

    private static func chunk(_ packets: [Packet], _ params: JSONValue) async throws -> [String] {
        let run = await NodeHarness.run(try makeNode(TextChunkerNode.definition, params), feeding: packets)
        try run.result.get()
        let texts = run.outputs.compactMap(\.textValue)
        #expect(texts.count == run.outputs.count, "non-text output")
        return texts
    }

    @Test(arguments: [1, 2, 3, 7])
    func sentencesFromSmallPieces(size: Int) async throws {
        let text = "Hello there, friend. How are you today? I am fine! Thanks for asking"
        let chunks = try await Self.chunk(Self.textPieces(text, size: size), ["split_mode": "sentences", "min_length": 10])
        #expect(chunks == ["Hello there, friend.", "How are you today?", "I am fine!", "Thanks for asking"])
    }

    @Test(arguments: [1, 3, 5])
    func clausesFromSmallPieces(size: Int) async throws {
        let text = "Well, first things first; we begin here: then we go on - and finish. Done"
        let chunks = try await Self.chunk(Self.textPieces(text, size: size), ["split_mode": "clauses", "min_length": 0])
        #expect(chunks == ["Well,", "first things first;", "we begin here:", "then we go on -", "and finish.", "Done"])
    }

    @Test(arguments: [1, 2, 4, 9])
    func wordGroupsNeverBreakAWord(size: Int) async throws {
        let text = "one two three four five six seven eight nine ten eleven twelve"
        let chunks = try await Self.chunk(Self.textPieces(text, size: size), ["split_mode": "words", "chunk_words": 5])
        #expect(chunks == ["one two three four five", "six seven eight nine ten", "eleven twelve"])
    }

    @Test func minLengthHoldsBackShortText() async throws {
        let text = "Hi. Ok. Sure thing. Yes"
        let split = try await Self.chunk(Self.textPieces(text, size: 2), ["split_mode": "sentences", "min_length": 0])
        #expect(split == ["Hi.", "Ok.", "Sure thing.", "Yes"])
        // The whole text is shorter than min_length: nothing is split, it all comes out at the end.
        let held = try await Self.chunk(Self.textPieces(text, size: 2), ["split_mode": "sentences", "min_length": .number(Double(text.utf8.count + 1))])
        #expect(held == [text])
        // A long enough buffer is split again: the tail shorter than min_length waits for the end.
        let partly = try await Self.chunk(Self.textPieces("Hi. Ok. Sure thing. Yes", size: 23), ["split_mode": "sentences", "min_length": 20])
        #expect(partly == ["Hi.", "Ok. Sure thing. Yes"])
    }

    @Test func leftoverIsEmittedTrimmedAtTheEnd() async throws {
        let chunks = try await Self.chunk([.text("First sentence here. "), .text("  and a tail without end   ")], ["min_length": 0])
        #expect(chunks == ["First sentence here.", "and a tail without end"])
        // Nothing but whitespace left: nothing more is emitted.
        let none = try await Self.chunk([.text("Just one sentence. "), .text("   \n ")], ["min_length": 0])
        #expect(none == ["Just one sentence."])
    }

    @Test(arguments: [[1], [2], [3], [5, 1, 2], [7]])
    func multibyteCharactersSplitAcrossBinaryPacketsAreReassembled(pattern: [Int]) async throws {
        let text = "Grüße aus Köln. Schöne Grüße! 日本語です。終わり 🎉"
        let chunks = try await Self.chunk(Self.bytePieces(text, pattern: pattern), ["split_mode": "sentences", "min_length": 0])
        #expect(chunks == ["Grüße aus Köln.", "Schöne Grüße!", "日本語です。", "終わり 🎉"])
    }

    @Test func invalidUTF8FailsTheNode() async throws {
        let packets: [Packet] = [
            .binary(BinaryPacket(data: Array("Hello ".utf8))),
            .binary(BinaryPacket(data: [0x77, 0xFF, 0xFE, 0x6F, 0x72, 0x6C, 0x64])),
            .binary(BinaryPacket(data: Array(" more text.".utf8))),
        ]
        let run = await NodeHarness.run(try makeNode(TextChunkerNode.definition), feeding: packets)
        let message = try #require(run.result.errorDescription, "invalid UTF-8 was accepted")
        #expect(message.contains("UTF-8"), "\(message)")
    }

    @Test func inputEndingInsideACharacterFailsTheNode() async throws {
        let euro = Array("€".utf8)  // 3 bytes
        let packets: [Packet] = [.binary(BinaryPacket(data: Array("Price: 5 ".utf8) + euro.prefix(2)))]
        let run = await NodeHarness.run(try makeNode(TextChunkerNode.definition), feeding: packets)
        let message = try #require(run.result.errorDescription, "a truncated character was accepted")
        #expect(message.contains("UTF-8"), "\(message)")
    }

    @Test func invalidUTF8FailsAPipelineNamingTheChunker() async throws {
        let yaml = """
            steps:
              - kind: streamkit::http_input
              - kind: core::text_chunker
              - kind: core::json_serialize
              - kind: streamkit::http_output
            """
        let error = await PipelineRun.failure(yaml, input: Array("ok so far. ".utf8) + [0xC0, 0x80] + Array(" then more".utf8), pattern: [3])
        let failure = try #require(error as? OneshotError)
        guard case .nodeFailed(_, let kind, let reason) = failure else {
            Issue.record("expected nodeFailed, got \(failure)")
            return
        }
        #expect(kind == "core::text_chunker")
        #expect(reason.contains("UTF-8"))
    }
}
