/// A list of glob patterns that grants a name when any pattern matches it.
///
/// An empty list denies everything (deny by default); `["*"]` allows everything. Invalid patterns
/// match nothing but do not affect the valid ones; ``invalidPatterns`` lists them so configuration
/// loading can warn.
public struct Allowlist: Sendable, Hashable {
    /// The compiled patterns, in configuration order.
    public let patterns: [GlobPattern]

    /// Compiles every pattern once.
    public init(_ patterns: [String]) {
        self.patterns = patterns.map(GlobPattern.init)
    }

    /// Whether the list holds no patterns at all (and so denies everything).
    public var isEmpty: Bool { patterns.isEmpty }

    /// The source text of every pattern that failed to compile.
    public var invalidPatterns: [String] {
        patterns.filter { !$0.isValid }.map(\.source)
    }

    /// Whether some pattern matches `name`.
    public func allows(_ name: String) -> Bool {
        patterns.contains { $0.matches(name) }
    }
}
