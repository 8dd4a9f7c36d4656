import StreamKitCore

enum SchemaPointer {
    /// Resolves `#`, `#/definitions/X`, `#/$defs/X` or any other JSON pointer fragment
    /// within `root`; nil for anything else (remote references are not supported).
    static func resolve(_ reference: String, in root: JSONValue) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        let pointer = reference.dropFirst()
        if pointer.isEmpty { return root }
        guard pointer.hasPrefix("/") else { return nil }
        var current = root
        for rawToken in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let decoded = String(rawToken).removingPercentEncoding ?? String(rawToken)
            let token = decoded.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let array):
                guard let index = Int(token), array.indices.contains(index) else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Follows a chain of `$ref`-only hops to the schema that does the describing.
    static func follow(_ schema: JSONValue, root: JSONValue) -> JSONValue {
        var current = schema
        for _ in 0..<16 {
            guard let reference = current["$ref"]?.stringValue, let target = resolve(reference, in: root) else { break }
            current = target
        }
        return current
    }
}
