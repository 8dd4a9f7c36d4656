import TOMLKit

/// A configuration value before it is checked against the schema: parsed TOML, or the raw text of an
/// environment variable whose type is decided by the key it lands on.
indirect enum ConfigValue: Sendable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    /// TOML dates and times, kept as their text.
    case dateTime(String)
    case array([ConfigValue])
    case table(ConfigTable)
    /// Raw text from an environment variable.
    case environment(String)

    /// How the value is shown after "got" in messages.
    var shownForProblem: String {
        switch self {
        case .string(let text), .environment(let text): TOMLText.quoted(text)
        case .integer(let number): String(number)
        case .float(let number): String(number)
        case .boolean(let flag): String(flag)
        case .dateTime(let text): text
        case .array: "an array"
        case .table: "a table"
        }
    }
}

/// An ordered TOML table.
struct ConfigTable: Sendable {
    var entries: [(key: String, value: ConfigValue)] = []

    subscript(key: String) -> ConfigValue? {
        get { entries.first { $0.key == key }?.value }
        set {
            let index = entries.firstIndex { $0.key == key }
            switch (index, newValue) {
            case (let index?, let value?): entries[index].value = value
            case (let index?, nil): entries.remove(at: index)
            case (nil, let value?): entries.append((key, value))
            case (nil, nil): break
            }
        }
    }
}

extension ConfigValue {
    /// Parses a TOML document into a table, or returns why it is not valid TOML
    /// (`line 3, column 7: expected '='`).
    static func parseDocument(_ text: String) -> Result<ConfigTable, TOMLSyntaxError> {
        do {
            return .success(ConfigTable(try TOMLTable(string: text)))
        } catch let error as TOMLParseError {
            let position = error.source.begin
            return .failure(TOMLSyntaxError(message: "line \(position.line), column \(position.column): \(error.description)"))
        } catch {
            return .failure(TOMLSyntaxError(message: String(describing: error)))
        }
    }

    /// Parses the text of an environment variable as a TOML value (`[1, 2]`, `{ a = 1 }`, `"x"`, `true`),
    /// or nil when it is not one.
    static func parseInline(_ text: String) -> ConfigValue? {
        guard !text.contains("\n"), !text.contains("\r"),
              let table = try? TOMLTable(string: "value = " + text) else { return nil }
        let converted = ConfigTable(table)
        guard converted.entries.count == 1 else { return nil }
        return converted["value"]
    }

    init(_ value: any TOMLValueConvertible) {
        switch value.type {
        case .table: self = .table(value.table.map(ConfigTable.init) ?? ConfigTable())
        case .array: self = .array(value.array.map { $0.map(ConfigValue.init) } ?? [])
        case .string: self = .string(value.string ?? "")
        case .int: self = .integer(value.int ?? 0)
        case .double: self = .float(value.double ?? 0)
        case .bool: self = .boolean(value.bool ?? false)
        case .date, .time, .dateTime: self = .dateTime(value.debugDescription)
        }
    }
}

extension ConfigTable {
    init(_ table: TOMLTable) {
        entries = table.keys.compactMap { key in table[key].map { (key, ConfigValue($0)) } }
    }
}

/// Why a document is not valid TOML.
struct TOMLSyntaxError: Error, Sendable {
    var message: String
}
