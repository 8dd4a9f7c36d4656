import StreamKitCore
import StreamKitEngine
import Yams

/// The top-level `name`, `description` and `mode` of a sample file.
///
/// A file that parses as a pipeline gives them from the parsed document; for anything else
/// (a fragment whose `needs` point outside it, a file with a mistake further down) they are read
/// by Yams from the longest run of leading lines that is valid YAML, when their entries are scalars.
struct SampleHeader: Sendable, Equatable {
    var name: String?
    var description: String?
    var mode: PipelineMode?

    /// How many times a YAML error may cut the text shorter before the header is given up on.
    static let maxCuts = 8

    static func read(_ text: String) -> SampleHeader {
        if let document = try? PipelineParser.parse(text) {
            return SampleHeader(name: document.name, description: document.description, mode: document.mode)
        }
        guard let root = leadingMapping(of: text) else { return SampleHeader() }
        return SampleHeader(
            name: scalar(root["name"]), description: scalar(root["description"]),
            mode: scalar(root["mode"]).flatMap(PipelineMode.init(rawValue:))
        )
    }

    /// The top-level mapping of `text`, or of the lines before its first YAML error (cut where the
    /// construct holding the error starts, so no half-read value is kept).
    static func leadingMapping(of text: String) -> Yams.Node? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for _ in 0..<maxCuts {
            do {
                guard let root = try Yams.compose(yaml: lines.joined(separator: "\n")), root.mapping != nil else { return nil }
                return root
            } catch {
                // Keep the lines before the error; at least one line goes each time, so this ends.
                guard let line = firstLine(of: error) else { return nil }
                let kept = min(line - 1, lines.count - 1)
                guard kept > 0 else { return nil }
                lines = Array(lines.prefix(kept))
            }
        }
        return nil
    }

    /// The first line (from 1) an error concerns: where its enclosing construct starts, else where it was found.
    private static func firstLine(of error: any Error) -> Int? {
        guard let yamlError = error as? YamlError else { return nil }
        switch yamlError {
        case .scanner(let context, _, let mark, _), .parser(let context, _, let mark, _), .composer(let context, _, let mark, _):
            return min(context?.mark.line ?? mark.line, mark.line)
        default:
            return nil
        }
    }

    /// The text of a non-empty, non-null scalar (`name: 12` reads as "12", `name: ~` as nothing).
    /// Block scalars (`|`, `>`) are left out, as the listing always has for files that are not
    /// complete pipelines, so what it shows for them stays the same.
    private static func scalar(_ node: Yams.Node?) -> String? {
        guard let node, let scalar = node.scalar, node.null == nil, !scalar.string.isEmpty,
              scalar.style != .literal, scalar.style != .folded else { return nil }
        return scalar.string
    }
}
