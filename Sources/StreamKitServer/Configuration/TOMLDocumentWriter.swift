import StreamKitCore

/// Builds a commented TOML document line by line.
struct TOMLDocumentWriter {
    private(set) var lines: [String] = []

    var text: String { lines.joined(separator: "\n") + "\n" }

    /// `# …` lines, one per line of `text`.
    mutating func comment(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lines.append(line.isEmpty ? "#" : "# " + line)
        }
    }

    mutating func blank() {
        if let last = lines.last, !last.isEmpty { lines.append("") }
    }

    /// A `[table]` header, preceded by a blank line and its description.
    mutating func table(_ path: [String], _ description: String? = nil) {
        blank()
        if let description { comment(description) }
        lines.append("[\(TOMLText.path(path))]")
    }

    /// `key = value` with its description above it.
    mutating func entry(_ key: String, _ rendered: String, _ description: String) {
        blank()
        comment(description)
        lines.append("\(TOMLText.key(key)) = \(rendered)")
    }

    /// An optional key: written when set, otherwise commented out with an example value.
    mutating func optionalEntry(_ key: String, _ rendered: String?, example: String, _ description: String) {
        if let rendered {
            entry(key, rendered, description)
        } else {
            blank()
            comment(description)
            lines.append("# \(TOMLText.key(key)) = \(example)")
        }
    }

    /// A bare `key = value` line (inside role tables, where one comment covers several keys).
    mutating func plain(_ key: String, _ rendered: String) {
        lines.append("\(TOMLText.key(key)) = \(rendered)")
    }

    // MARK: Values

    static func string(_ text: String) -> String { TOMLText.quoted(text) }
    static func bool(_ flag: Bool) -> String { flag ? "true" : "false" }
    static func int(_ number: Int) -> String { String(number) }

    /// An array of strings, one per line when long.
    static func strings(_ values: [String]) -> String {
        let single = TOMLText.stringArray(values)
        if single.count <= 80 { return single }
        return "[\n" + values.map { "    \(TOMLText.quoted($0)),\n" }.joined() + "]"
    }

    /// A JSON value as an inline TOML value (TOML has no null: null members and elements are left out).
    static func json(_ value: JSONValue) -> String {
        switch value {
        case .null: return "\"\""
        case .bool(let flag): return bool(flag)
        case .string(let text): return TOMLText.quoted(text)
        case .number(let number):
            if let integer = value.intValue { return String(integer) }
            if number.isNaN { return "nan" }
            if number.isInfinite { return number < 0 ? "-inf" : "inf" }
            return String(number)
        case .array(let elements):
            return "[" + elements.filter { !$0.isNull }.map(json).joined(separator: ", ") + "]"
        case .object(let object):
            let members = object.filter { !$0.value.isNull }.map { "\(TOMLText.key($0.key)) = \(json($0.value))" }
            return members.isEmpty ? "{}" : "{ " + members.joined(separator: ", ") + " }"
        }
    }

    /// A string map as an inline table.
    static func stringMap(_ map: [String: String]) -> String {
        if map.isEmpty { return "{}" }
        return "{ " + map.sorted { $0.key < $1.key }.map { "\(TOMLText.key($0.key)) = \(TOMLText.quoted($0.value))" }
            .joined(separator: ", ") + " }"
    }
}
