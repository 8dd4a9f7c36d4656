import StreamKitCore

/// Reads one configuration layer (the file, or the environment) against the expected schema,
/// collecting a ``ConfigurationProblem`` for every unknown key and every value of the wrong type.
struct ConfigReader {
    /// Where the layer came from, for messages.
    enum Origin {
        case file(String)
        case environment
    }

    let origin: Origin
    private(set) var problems: [ConfigurationProblem] = []

    init(origin: Origin) {
        self.origin = origin
    }

    mutating func report(_ keyPath: String, _ message: String) {
        problems.append(ConfigurationProblem(keyPath: keyPath, message: message))
    }

    /// The environment variable that sets `keyPath`, as people would write it.
    /// Inside arrays (`plugins[0].kind`) this is the variable holding the whole array.
    static func environmentName(for keyPath: String) -> String {
        let variablePath = keyPath.prefix { $0 != "[" }
        return "SK_" + variablePath.split(separator: ".", omittingEmptySubsequences: false).map { $0.uppercased() }
            .joined(separator: "__")
    }

    /// The environment variables that produced `value` at `keyPath` (one per leaf).
    static func environmentNames(for value: ConfigValue, at keyPath: String) -> [String] {
        guard case .table(let table) = value, !table.entries.isEmpty else { return [environmentName(for: keyPath)] }
        return table.entries.flatMap { environmentNames(for: $0.value, at: join(keyPath, $0.key)) }
    }

    private func suffix(_ keyPath: String) -> String {
        switch origin {
        case .file: ""
        case .environment: " (from \(Self.environmentName(for: keyPath)))"
        }
    }

    /// Reports a value of the wrong type: `server.max_body_size: expected a non-negative integer, got "big"`.
    mutating func mismatch(_ keyPath: String, expected: String, got value: ConfigValue) {
        report(keyPath, "\(keyPath): expected \(expected), got \(value.shownForProblem)\(suffix(keyPath))")
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }

    // MARK: Tables

    /// The entries of a table whose keys are fixed: unknown keys are reported (with a "did you mean" hint),
    /// known ones returned with their full key paths.
    mutating func entries(
        of value: ConfigValue, at path: String, known: [String]
    ) -> [(key: String, value: ConfigValue, path: String)] {
        guard let table = table(value, at: path) else { return [] }
        var result: [(key: String, value: ConfigValue, path: String)] = []
        for (key, entry) in table.entries {
            let keyPath = Self.join(path, key)
            if known.contains(key) {
                result.append((key, entry, keyPath))
            } else {
                reportUnknownKey(keyPath, key: key, value: entry, parent: path, known: known)
            }
        }
        return result
    }

    /// The entries of a table whose keys are free (role names, header names, secret names).
    mutating func mapEntries(of value: ConfigValue, at path: String) -> [(key: String, value: ConfigValue, path: String)] {
        guard let table = table(value, at: path) else { return [] }
        return table.entries.map { ($0.key, $0.value, Self.join(path, $0.key)) }
    }

    private mutating func reportUnknownKey(_ keyPath: String, key: String, value: ConfigValue, parent: String, known: [String]) {
        let place: String
        switch origin {
        case .file(let name):
            place = "in \(name)"
        case .environment:
            let names = Self.environmentNames(for: value, at: keyPath)
            place = "(from environment variable\(names.count == 1 ? "" : "s") \(names.joined(separator: ", ")))"
        }
        var message = "unknown key '\(keyPath)' \(place)"
        if let match = ClosestMatch.find(key, in: known) {
            message += " — did you mean '\(Self.join(parent, match))'?"
        } else if parent.isEmpty {
            message += " — known sections: \(known.joined(separator: ", "))"
        } else {
            message += " — known keys in '\(parent)': \(known.joined(separator: ", "))"
        }
        report(keyPath, message)
    }

    mutating func table(_ value: ConfigValue, at path: String) -> ConfigTable? {
        if case .table(let table) = value { return table }
        mismatch(path, expected: "a table", got: value)
        return nil
    }

    // MARK: Scalars

    mutating func string(_ value: ConfigValue, at path: String) -> String? {
        switch value {
        case .string(let text): return text
        case .environment(let raw):
            // A quoted value (`"a b"`) is unquoted; anything else is taken verbatim.
            if raw.hasPrefix("\""), case .string(let text)? = ConfigValue.parseInline(raw) { return text }
            if raw.hasPrefix("'"), case .string(let text)? = ConfigValue.parseInline(raw) { return text }
            return raw
        default:
            mismatch(path, expected: "a string", got: value)
            return nil
        }
    }

    /// A string where the empty string means "not set".
    mutating func optionalString(_ value: ConfigValue, at path: String) -> String?? {
        guard let text = string(value, at: path) else { return nil }
        return .some(text.isEmpty ? nil : text)
    }

    mutating func bool(_ value: ConfigValue, at path: String) -> Bool? {
        switch value {
        case .boolean(let flag): return flag
        case .environment(let raw):
            switch raw.configTrimmed().lowercased() {
            case "true": return true
            case "false": return false
            default: break
            }
        default: break
        }
        mismatch(path, expected: "true or false", got: value)
        return nil
    }

    /// An integer no smaller than `minimum` (0: "a non-negative integer", 1: "a positive integer").
    mutating func integer(_ value: ConfigValue, at path: String, minimum: Int) -> Int? {
        let number: Int? = switch value {
        case .integer(let number): number
        case .environment(let raw): Int(raw.configTrimmed().replacingUnderscores())
        default: nil
        }
        if let number, number >= minimum { return number }
        let expected = switch minimum {
        case 0: "a non-negative integer"
        case 1: "a positive integer"
        default: "an integer of at least \(minimum)"
        }
        mismatch(path, expected: expected, got: value)
        return nil
    }

    /// One of a fixed set of strings.
    mutating func choice<Choice: RawRepresentable & CaseIterable>(
        _ value: ConfigValue, at path: String, as type: Choice.Type
    ) -> Choice? where Choice.RawValue == String {
        let text: String? = switch value {
        case .string(let text): text
        case .environment(let raw): raw.configTrimmed()
        default: nil
        }
        if let text, let choice = Choice(rawValue: text) { return choice }
        let names = Choice.allCases.map(\.rawValue).joined(separator: ", ")
        mismatch(path, expected: "one of \(names)", got: value)
        return nil
    }

    // MARK: Arrays

    /// An array of strings. From the environment: a TOML array (`["a", "b"]`), a bracketed list
    /// (`[a, b]`) or a comma-separated list (`a,b`); an empty value is an empty array.
    mutating func stringArray(_ value: ConfigValue, at path: String) -> [String]? {
        switch value {
        case .array(let elements):
            var strings: [String] = []
            for element in elements {
                guard case .string(let text) = element else {
                    mismatch(path, expected: "an array of strings", got: element)
                    return nil
                }
                strings.append(text)
            }
            return strings
        case .environment(let raw):
            let trimmed = raw.configTrimmed()
            if trimmed.hasPrefix("["), let parsed = ConfigValue.parseInline(trimmed), case .array = parsed {
                return stringArray(parsed, at: path)
            }
            var list = Substring(trimmed)
            if list.hasPrefix("["), list.hasSuffix("]") { list = list.dropFirst().dropLast() }
            return list.split(separator: ",").map { item in
                var item = String(item).configTrimmed()
                if item.count >= 2, let first = item.first, (first == "\"" || first == "'"), item.last == first {
                    item = String(item.dropFirst().dropLast())
                }
                return item
            }.filter { !$0.isEmpty }
        default:
            mismatch(path, expected: "an array of strings", got: value)
            return nil
        }
    }

    /// The elements of an array of tables, with their key paths (`resources.prewarm.plugins[0]`).
    mutating func tableArray(_ value: ConfigValue, at path: String) -> [(value: ConfigValue, path: String)]? {
        var value = value
        if case .environment(let raw) = value {
            let trimmed = raw.configTrimmed()
            if trimmed.isEmpty { return [] }
            guard let parsed = ConfigValue.parseInline(trimmed) else {
                mismatch(path, expected: "an array of tables (e.g. [{ key = \"value\" }])", got: value)
                return nil
            }
            value = parsed
        }
        guard case .array(let elements) = value else {
            mismatch(path, expected: "an array of tables", got: value)
            return nil
        }
        return elements.enumerated().map { ($0.element, "\(path)[\($0.offset)]") }
    }

    // MARK: Free-form values

    /// Any value, as JSON (dates become strings). Environment text is read as TOML when it parses, else as a string.
    func json(_ value: ConfigValue) -> JSONValue {
        switch value {
        case .string(let text), .dateTime(let text): .string(text)
        case .integer(let number): .number(Double(number))
        case .float(let number): .number(number)
        case .boolean(let flag): .bool(flag)
        case .array(let elements): .array(elements.map(json))
        case .table(let table): .object(JSONObject(table.entries.map { ($0.key, json($0.value)) }))
        case .environment(let raw): ConfigValue.parseInline(raw.configTrimmed()).map(json) ?? .string(raw)
        }
    }
}

extension String {
    func configTrimmed() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[start...end])
    }

    fileprivate func replacingUnderscores() -> String {
        // TOML allows `1_000`; accept it from the environment too, but only between digits.
        guard contains("_"), !hasPrefix("_"), !hasSuffix("_"), !contains("__") else { return self }
        return split(separator: "_").joined()
    }
}
