/// One problem found in a value, located by a path like `params.clocked.sample_rate`
/// or `params.items[2]`.
public struct SchemaViolation: Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is: the root name passed to the validator, then `.field` for object
    /// fields (`["odd key"]` when the name is not a plain identifier) and `[index]` for array items.
    public var path: String
    /// What is wrong, for people: `expected a number ≤ 4, got 7`, `required field is missing`, …
    public var message: String

    /// Creates a violation.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`.
    public var description: String { "\(path): \(message)" }
}
