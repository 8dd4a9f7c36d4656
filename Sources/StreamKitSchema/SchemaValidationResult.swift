/// The outcome of validating a value against a JSON Schema.
public struct SchemaValidationResult: Sendable, Equatable {
    /// Errors: the value does not satisfy the schema. In document order.
    public var violations: [SchemaViolation]
    /// Warnings: object fields the schema does not declare, where the schema does not say
    /// whether extra fields are allowed (no `additionalProperties`). They are ignored at run
    /// time, so they are reported but do not make the value invalid. In document order.
    public var unknownFields: [SchemaViolation]

    /// Creates a result.
    public init(violations: [SchemaViolation] = [], unknownFields: [SchemaViolation] = []) {
        self.violations = violations
        self.unknownFields = unknownFields
    }

    /// True when there are no violations (unknown-field warnings do not count).
    public var isValid: Bool { violations.isEmpty }
}
