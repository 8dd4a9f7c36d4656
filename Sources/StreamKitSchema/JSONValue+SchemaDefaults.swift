import StreamKitCore

extension JSONValue {
    /// Returns this value with missing object fields filled from each property's `default`
    /// in `schema`.
    ///
    /// Fields that are present are kept as they are; nested objects that are present get
    /// their own missing fields filled, recursively. When this value is `null` and the
    /// schema describes an object (`"type": "object"`, or `properties` without a `type`),
    /// filling starts from an empty object. `$ref`s (within `schema`) and `allOf` branches
    /// are followed. Values that are not objects are returned unchanged.
    public func applyingDefaults(from schema: JSONValue) -> JSONValue {
        let filler = DefaultsFiller(root: schema)
        if case .null = self, filler.describesObject(schema) {
            return filler.fill(.object(JSONObject()), schema: schema, depth: 0)
        }
        return filler.fill(self, schema: schema, depth: 0)
    }
}

struct DefaultsFiller {
    let root: JSONValue
    let maxDepth = 64

    func fill(_ value: JSONValue, schema: JSONValue, depth: Int) -> JSONValue {
        guard case .object(var object) = value, depth < maxDepth else { return value }
        for (key, propertySchema) in properties(of: schema) {
            if let existing = object[key] {
                if case .object = existing {
                    object[key] = fill(existing, schema: propertySchema, depth: depth + 1)
                }
            } else if let defaultValue = defaultValue(of: propertySchema) {
                object[key] = fill(defaultValue, schema: propertySchema, depth: depth + 1)
            }
        }
        return .object(object)
    }

    /// Whether a `null` value should become `{}` before filling.
    func describesObject(_ schema: JSONValue) -> Bool {
        guard let resolved = SchemaPointer.follow(schema, root: root).objectValue else { return false }
        switch resolved["type"] {
        case .string(let name)?: return name == "object"
        case .array(let names)?: return names.contains("object") && !names.contains("null")
        case nil: return resolved["properties"]?.objectValue != nil
        default: return false
        }
    }

    /// The declared properties, in schema order, including those of `$ref` targets and
    /// `allOf` branches (the first declaration of a name wins).
    private func properties(of schema: JSONValue) -> [(String, JSONValue)] {
        var result: [(String, JSONValue)] = []
        var seen = Set<String>()
        collect(schema, into: &result, seen: &seen, hops: 0)
        return result
    }

    private func collect(_ schema: JSONValue, into result: inout [(String, JSONValue)], seen: inout Set<String>, hops: Int) {
        guard hops < 16, let object = schema.objectValue else { return }
        if let properties = object["properties"]?.objectValue {
            for (key, value) in properties where seen.insert(key).inserted {
                result.append((key, value))
            }
        }
        if let reference = object["$ref"]?.stringValue, let target = SchemaPointer.resolve(reference, in: root) {
            collect(target, into: &result, seen: &seen, hops: hops + 1)
        }
        for branch in object["allOf"]?.arrayValue ?? [] {
            collect(branch, into: &result, seen: &seen, hops: hops + 1)
        }
    }

    private func defaultValue(of schema: JSONValue) -> JSONValue? {
        var current = schema
        for _ in 0..<16 {
            guard let object = current.objectValue else { return nil }
            if let value = object["default"] { return value }
            guard let reference = object["$ref"]?.stringValue,
                  let target = SchemaPointer.resolve(reference, in: root) else { return nil }
            current = target
        }
        return nil
    }
}
