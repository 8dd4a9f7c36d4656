import StreamKitCore

/// Validates JSON values (node parameters) against the subset of JSON Schema that node
/// schemas use.
///
/// Supported keywords: `type` (a name or a list of names; `integer` accepts whole numbers),
/// `nullable`, `enum`, `const`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`
/// (numbers, or the older boolean form), `multipleOf`, `minLength`, `maxLength`, `pattern`,
/// `items` (a schema, or a list for tuples), `prefixItems`, `minItems`, `maxItems`,
/// `uniqueItems`, `properties`, `patternProperties`, `required`, `additionalProperties`,
/// `minProperties`, `maxProperties`, `allOf`, `anyOf`, `oneOf`, `not`, and `$ref` to JSON
/// pointers inside the same root schema (`#/definitions/X`, `#/$defs/X`, `#`). Other keywords
/// (`default`, `description`, `title`, `format`, …) are ignored. `true` and `{}` accept
/// everything, `false` rejects everything. A broken schema never crashes the validator:
/// an invalid `pattern` or an unresolvable `$ref` is treated as no constraint, and `$ref`
/// cycles are cut.
///
/// Every problem is reported, not just the first, in document order.
public enum JSONSchemaValidator {
    /// Validates `value` against `schema`.
    ///
    /// - Parameters:
    ///   - value: The value to check, e.g. a node's parameters.
    ///   - schema: The JSON Schema; `$ref`s are resolved against it.
    ///   - rootPath: The name paths start with.
    /// - Returns: The violations (errors) and the unknown-field warnings.
    public static func validate(_ value: JSONValue, against schema: JSONValue, rootPath: String = "params") -> SchemaValidationResult {
        let walker = SchemaWalker(root: schema)
        let outcome = walker.check(value, against: schema, at: SchemaLocation(path: rootPath, order: []),
                                   context: SchemaContext())
        return SchemaValidationResult(violations: finish(outcome.errors), unknownFields: finish(outcome.warnings))
    }

    /// Puts issues in document order (stable) and drops exact duplicates.
    private static func finish(_ issues: [SchemaIssue]) -> [SchemaViolation] {
        let sorted = issues.enumerated().sorted { lhs, rhs in
            if lhs.element.order == rhs.element.order { return lhs.offset < rhs.offset }
            return lhs.element.order.lexicographicallyPrecedes(rhs.element.order)
        }
        var seen = Set<String>()
        var result: [SchemaViolation] = []
        for (_, issue) in sorted where seen.insert(issue.path + "\u{0}" + issue.message).inserted {
            result.append(SchemaViolation(path: issue.path, message: issue.message))
        }
        return result
    }
}
