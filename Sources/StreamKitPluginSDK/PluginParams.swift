/// A node's parameters (a JSON object), with typed accessors.
public struct PluginParams: Sendable {
    /// The parsed value; `.null` when the host passed none.
    public let value: PluginJSON
    /// The JSON text as the host passed it (nil when none).
    public let text: String?

    public init(text: String?) throws {
        self.text = text
        if let text, !text.isEmpty {
            value = try PluginJSON.parse(text)
        } else {
            value = .null
        }
    }

    public subscript(key: String) -> PluginJSON? {
        if case .object(let members) = value { return members[key] }
        return nil
    }

    public func double(_ key: String) -> Double? {
        if case .number(let number)? = self[key] { return number }
        return nil
    }

    public func string(_ key: String) -> String? {
        if case .string(let string)? = self[key] { return string }
        return nil
    }

    public func bool(_ key: String) -> Bool? {
        if case .bool(let bool)? = self[key] { return bool }
        return nil
    }
}
