import StreamKitCore

/// Small builders for the JSON Schemas of node parameters, so each node states its
/// parameters in a few readable lines.
enum Schema {
    static func object(_ properties: [(String, JSONValue)], required: [String] = []) -> JSONValue {
        var object: JSONObject = ["type": "object", "properties": .object(JSONObject(properties))]
        if !required.isEmpty { object["required"] = .array(required.map { .string($0) }) }
        return .object(object)
    }

    static let empty: JSONValue = ["type": "object", "properties": [:]]

    static func number(_ description: String, default value: Double? = nil, minimum: Double? = nil, maximum: Double? = nil, exclusiveMinimum: Double? = nil) -> JSONValue {
        var object: JSONObject = ["type": "number", "description": .string(description)]
        if let value { object["default"] = .number(value) }
        if let minimum { object["minimum"] = .number(minimum) }
        if let maximum { object["maximum"] = .number(maximum) }
        if let exclusiveMinimum { object["exclusiveMinimum"] = .number(exclusiveMinimum) }
        return .object(object)
    }

    static func integer(_ description: String, default value: Int? = nil, minimum: Int? = nil, maximum: Int? = nil, nullable: Bool = false) -> JSONValue {
        var object: JSONObject = ["type": nullable ? ["integer", "null"] : "integer", "description": .string(description)]
        if let value { object["default"] = .number(Double(value)) }
        if let minimum { object["minimum"] = .number(Double(minimum)) }
        if let maximum { object["maximum"] = .number(Double(maximum)) }
        return .object(object)
    }

    static func string(_ description: String, default value: String? = nil, oneOf choices: [String]? = nil, minLength: Int? = nil) -> JSONValue {
        var object: JSONObject = ["type": "string", "description": .string(description)]
        if let value { object["default"] = .string(value) }
        if let choices { object["enum"] = .array(choices.map { .string($0) }) }
        if let minLength { object["minLength"] = .number(Double(minLength)) }
        return .object(object)
    }

    static func boolean(_ description: String, default value: Bool) -> JSONValue {
        ["type": "boolean", "description": .string(description), "default": .bool(value)]
    }

    static func stringList(_ description: String, default value: [String]) -> JSONValue {
        ["type": "array", "items": ["type": "string"], "description": .string(description), "default": .array(value.map { .string($0) })]
    }
}

extension JSONValue {
    /// `self[key]` as a Double, or `fallback` when absent or not a number.
    func number(_ key: String, or fallback: Double) -> Double {
        self[key]?.doubleValue ?? fallback
    }

    func integer(_ key: String, or fallback: Int) -> Int {
        self[key]?.intValue ?? fallback
    }

    func string(_ key: String, or fallback: String) -> String {
        self[key]?.stringValue ?? fallback
    }

    func bool(_ key: String, or fallback: Bool) -> Bool {
        self[key]?.boolValue ?? fallback
    }
}
