import StreamKitCore
import StreamKitEngine

/// Rewrites the top-level `name` and `description` of a sample's YAML line by line, so that the
/// rest of the file (comments, layout, key order) is stored exactly as the user wrote it; a YAML
/// emitter would reformat all of it. ``SampleLibrary`` checks every rewrite by parsing it again.
enum SampleHeaderEditor {
    /// `yaml` without its top-level `name`/`description` entries (with their continuation lines)
    /// and with new ones, as double-quoted scalars, at the top of the document (after a leading
    /// `---` line when there is one). Nil when the text has directives this does not handle.
    static func replacingNameAndDescription(in yaml: String, name: String, description: String) -> String? {
        let lines = yaml.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" })
        var kept: [Substring] = []
        var skipping = false
        for line in lines {
            let trimmedLine = line.hasSuffix("\r") ? line.dropLast() : line
            if skipping {
                // A value continues on blank and indented lines.
                if trimmedLine.allSatisfy(\.isWhitespace) || trimmedLine.first == " " || trimmedLine.first == "\t" { continue }
                skipping = false
            }
            if let (key, _) = topLevelEntry(trimmedLine), key == "name" || key == "description" {
                skipping = true
                continue
            }
            kept.append(line)
        }
        let header = "name: \(JSONValue.string(name).jsonString())\ndescription: \(JSONValue.string(description).jsonString())"
        if let marker = kept.firstIndex(where: { $0.hasPrefix("---") || $0.hasPrefix("%") }) {
            // Only a plain leading `---` (after comments) is handled.
            guard kept[..<marker].allSatisfy({ $0.allSatisfy(\.isWhitespace) || $0.hasPrefix("#") }),
                  kept[marker].trimmingCharacters(in: .whitespacesAndNewlines) == "---" else { return nil }
            kept.insert(Substring(header), at: kept.index(after: marker))
            return kept.joined(separator: "\n")
        }
        return header + "\n" + kept.joined(separator: "\n")
    }

    /// `key` and the rest of the line for a top-level `key: value` line, else nil.
    static func topLevelEntry(_ line: Substring) -> (key: String, value: Substring)? {
        guard let first = line.first, !first.isWhitespace, first != "#", first != "-" else { return nil }
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let after = line[line.index(after: colon)...]
        guard after.isEmpty || after.first?.isWhitespace == true else { return nil }
        var key = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
        if key.count >= 2, let quote = key.first, quote == "\"" || quote == "'", key.last == quote {
            key = String(key.dropFirst().dropLast())
        }
        return (key, after)
    }

    /// Whether two documents have the same mode, nodes and links (source lines aside).
    static func sameGraph(_ lhs: PipelineDocument, _ rhs: PipelineDocument) -> Bool {
        lhs.mode == rhs.mode
            && lhs.nodes.map { [$0.id, $0.kind, ($0.params ?? .null).jsonString()] } == rhs.nodes.map { [$0.id, $0.kind, ($0.params ?? .null).jsonString()] }
            && lhs.links.map(\.id) == rhs.links.map(\.id)
            && lhs.links.map(\.mode) == rhs.links.map(\.mode)
    }
}
