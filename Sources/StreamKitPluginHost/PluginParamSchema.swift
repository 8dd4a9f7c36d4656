import StreamKitCore

/// The parameter schema a plugin declares as JSON text, checked the same way for every kind:
/// blank text means "no parameters" (`{}`); anything else must be a JSON object (a JSON Schema).
public enum PluginParamSchema {
    /// Why a declared schema was refused, in words that name the metadata field.
    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    /// Parses `text`; `field` names the metadata field in messages (`param_schema`, `param-schema`).
    public static func parse(_ text: String, field: String) throws(Problem) -> JSONValue {
        if text.allSatisfy(\.isWhitespace) { return .object([:]) }
        guard let schema = try? JSONValue.parse(text) else {
            throw Problem(description: "\(field) is not valid JSON: \(text.prefix(80))")
        }
        guard case .object = schema else {
            throw Problem(description: "\(field) must be a JSON object (a JSON Schema), got \(schema.typeName)")
        }
        return schema
    }
}
