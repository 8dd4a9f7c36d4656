/// One thing wrong with a configuration: which key, and what.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    /// Dotted key path (`server.address`, `permissions.roles.demo.tune_nodes`); empty for whole-file problems.
    public var keyPath: String
    /// The complete message, naming the key and what was expected.
    public var message: String

    /// Creates a problem.
    public init(keyPath: String, message: String) {
        self.keyPath = keyPath
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

/// Every problem found while loading a configuration, reported together.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems, in the order found (file first, then environment, then cross-checks).
    public var problems: [ConfigurationProblem]

    /// Creates an error from a non-empty list of problems.
    public init(problems: [ConfigurationProblem]) {
        self.problems = problems
    }

    /// All problems, one per line when there are several.
    public var description: String {
        if problems.count == 1, let only = problems.first { return "invalid configuration: \(only.message)" }
        return "invalid configuration (\(problems.count) problems):\n" + problems.map { "  - \($0.message)" }.joined(separator: "\n")
    }
}
