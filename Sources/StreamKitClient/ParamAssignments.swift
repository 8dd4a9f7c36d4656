import StreamKitCore

/// Parsing `key=value` arguments into parameters.
public enum ParamAssignments {
    /// Builds a parameters object from `key=value` pairs. Values that parse as JSON (`1.5`, `true`,
    /// `"text"`, `[1,2]`, `{"a":1}`) are used as such; anything else is a string. Dotted keys
    /// (`filter.cutoff=300`) build nested objects.
    public static func parse(_ assignments: [String]) throws(StreamKitClientError) -> JSONValue {
        var root = JSONObject()
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "=") else {
                throw .invalidArgument("'\(assignment)' is not key=value")
            }
            let key = String(assignment[..<equals])
            let raw = String(assignment[assignment.index(after: equals)...])
            let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !key.isEmpty, !path.contains(where: \.isEmpty) else {
                throw .invalidArgument("'\(assignment)' has an empty key")
            }
            set(&root, path: path[...], value: value(raw))
        }
        return .object(root)
    }

    /// One value: JSON when it parses, else the text itself.
    public static func value(_ raw: String) -> JSONValue {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, let parsed = try? OrderedJSON.parse(trimmed) else { return .string(raw) }
        return parsed
    }

    private static func set(_ object: inout JSONObject, path: ArraySlice<String>, value: JSONValue) {
        guard let first = path.first else { return }
        if path.count == 1 {
            object[first] = value
            return
        }
        var child = object[first]?.objectValue ?? JSONObject()
        set(&child, path: path.dropFirst(), value: value)
        object[first] = .object(child)
    }
}
