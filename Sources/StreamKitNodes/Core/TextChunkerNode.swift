import StreamKitCore

/// `core::text_chunker`: splits streaming text into sentences, clauses or groups of words,
/// so that a speech synthesiser can start before the whole text has arrived.
struct TextChunkerNode: DefinedNode {
    enum SplitMode: String, Sendable { case sentences, clauses, words }

    static let definition = NodeDefinition(
        kind: "core::text_chunker",
        description: "Splits streaming text into sentences, clauses or word groups.",
        categories: ["core", "text"],
        paramSchema: Schema.object([
            ("split_mode", Schema.string("Where to split.", default: "sentences", oneOf: ["sentences", "clauses", "words"])),
            ("min_length", Schema.integer("Sentences/clauses: do not split before this many bytes are buffered.", default: 10, minimum: 0)),
            ("chunk_words", Schema.integer("Words: words per chunk.", default: 5, minimum: 1)),
        ]),
        inputs: [InputPin(name: "in", accepts: [.text, .binary])],
        outputs: [OutputPin(name: "out", produces: .text)],
        factory: { params in
            TextChunkerNode(
                chunker: TextChunker(
                    mode: SplitMode(rawValue: params.string("split_mode", or: "sentences")) ?? .sentences,
                    minLength: params.integer("min_length", or: 10),
                    chunkWords: params.integer("chunk_words", or: 5)
                )
            )
        }
    )

    var chunker: TextChunker

    func run(context: NodeContext) async throws {
        var chunker = self.chunker
        // Bytes may split a UTF-8 sequence between packets; keep the incomplete tail for the next one.
        var pendingBytes: [UInt8] = []
        while let packet = await context.nextPacket(refusingUpdates: "core::text_chunker parameters cannot be changed while it runs") {
            var text: String
            switch packet {
            case .text(let value):
                text = value
            case .binary(let binary):
                pendingBytes += binary.data
                let complete = TextChunker.completeUTF8Prefix(pendingBytes)
                guard let decoded = String(validating: pendingBytes[..<complete], as: UTF8.self) else {
                    context.countErrored()
                    throw StreamKitError.invalidData("core::text_chunker received bytes that are not UTF-8 text")
                }
                pendingBytes.removeFirst(complete)
                text = decoded
            default:
                context.countDiscarded()
                continue
            }
            guard !text.isEmpty else { continue }
            for chunk in chunker.append(text) {
                try await context.send(.text(chunk))
            }
        }
        if !pendingBytes.isEmpty {
            throw StreamKitError.invalidData("core::text_chunker input ended inside a UTF-8 character")
        }
        if let rest = chunker.finish() {
            try await context.send(.text(rest))
        }
    }
}

/// The splitting logic of `core::text_chunker`, kept apart from the node so it can be tested alone.
struct TextChunker: Sendable {
    var mode: TextChunkerNode.SplitMode
    var minLength: Int
    var chunkWords: Int
    private var buffer = ""

    init(mode: TextChunkerNode.SplitMode, minLength: Int, chunkWords: Int) {
        self.mode = mode
        self.minLength = minLength
        self.chunkWords = max(1, chunkWords)
    }

    private static let sentenceBoundaries = [". ", ".\n", "! ", "!\n", "? ", "?\n", "。", "！", "？"]
    private static let clauseBoundaries = sentenceBoundaries + [", ", ",\n", "; ", ";\n", " - ", " – ", " — ", ": ", ":\n"]
    private static let sentenceEnds: Set<Character> = [".", "!", "?", "。", "！", "？"]
    private static let clauseEnds: Set<Character> = sentenceEnds.union([",", ";", ":"])

    /// Adds text and returns every chunk that is now complete.
    mutating func append(_ text: String) -> [String] {
        buffer += text
        var chunks: [String] = []
        while let chunk = extract() { chunks.append(chunk) }
        return chunks
    }

    /// What is left at the end of the stream, trimmed (nil when nothing but whitespace).
    mutating func finish() -> String? {
        let rest = buffer.trimmingWhitespace()
        buffer = ""
        return rest.isEmpty ? nil : rest
    }

    private mutating func extract() -> String? {
        switch mode {
        case .words:
            let words = buffer.split(whereSeparator: \.isWhitespace)
            // The last word may still be growing unless whitespace follows it.
            let complete = buffer.last?.isWhitespace == true ? words.count : words.count - 1
            guard complete >= chunkWords else { return nil }
            let chunk = words.prefix(chunkWords).joined(separator: " ")
            if let end = words[chunkWords - 1].indices.last.map({ buffer.index(after: $0) }) {
                buffer = String(buffer[end...])
            }
            return chunk
        case .sentences, .clauses:
            guard buffer.utf8.count >= minLength else { return nil }
            let boundaries = mode == .sentences ? Self.sentenceBoundaries : Self.clauseBoundaries
            var earliest: Range<String.Index>?
            for boundary in boundaries {
                if let range = buffer.range(of: boundary), range.lowerBound < (earliest?.lowerBound ?? buffer.endIndex) {
                    earliest = range
                }
            }
            if let range = earliest {
                let chunk = buffer[..<range.upperBound].trimmingWhitespace()
                buffer = String(buffer[range.upperBound...])
                return chunk.isEmpty ? extract() : chunk
            }
            let ends = mode == .sentences ? Self.sentenceEnds : Self.clauseEnds
            if let last = buffer.last, ends.contains(last) {
                let chunk = buffer.trimmingWhitespace()
                buffer = ""
                return chunk.isEmpty ? nil : chunk
            }
            return nil
        }
    }

    /// The length of the longest prefix of `bytes` that does not end inside a UTF-8 sequence.
    static func completeUTF8Prefix(_ bytes: [UInt8]) -> Int {
        var index = bytes.count
        var continuation = 0
        while index > 0, continuation < 4 {
            let byte = bytes[index - 1]
            if byte & 0xC0 == 0x80 {
                continuation += 1
                index -= 1
                continue
            }
            let needed = byte >= 0xF0 ? 3 : byte >= 0xE0 ? 2 : byte >= 0xC0 ? 1 : 0
            return needed > continuation ? index - 1 : bytes.count
        }
        return bytes.count
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        guard let start = firstIndex(where: { !$0.isWhitespace }),
              let end = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[start...end])
    }
}
