/// A glob pattern compiled once and matched many times, with the permission allowlists' semantics.
///
/// - `*` (and `**`, and any longer run of stars) matches any run of characters, including none,
///   and including `/` and `::`, so `audio::*` matches `audio::opus::encoder` and `oneshot/*.yml`
///   matches `oneshot/a/b.yml`.
/// - `?` matches exactly one character.
/// - `[abc]`, `[a-z]` and `[!a]` match one character in (or, with `!`, not in) the class. A `]` right
///   after `[` or `[!` is a member, as is a `-` at either end of the class.
/// - Everything else, backslash included, matches itself; matching is case-sensitive. To match a
///   literal `*`, `?` or `[`, put it in a class: `[*]`.
///
/// A pattern that cannot be compiled (an unclosed `[`, an empty class, a reversed range such as
/// `[z-a]`) is kept with ``isValid`` `false` and matches nothing, so a typo in a configuration
/// file denies access instead of granting it.
///
/// Characters are Unicode scalars: `?` consumes one scalar.
public struct GlobPattern: Sendable, Hashable, CustomStringConvertible {
    /// The text the pattern was compiled from.
    public let source: String
    /// Whether ``source`` compiled. An invalid pattern never matches.
    public let isValid: Bool
    private let tokens: [Token]

    private enum Token: Sendable, Hashable {
        case literal(Unicode.Scalar)
        case anyOne
        /// One or more adjacent stars: they all mean the same thing, so they are folded into one.
        case anyRun
        case characterClass(CharacterClass)
    }

    private struct CharacterClass: Sendable, Hashable {
        var negated: Bool
        var ranges: [ClosedRange<Unicode.Scalar>]

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            let member = ranges.contains { $0.contains(scalar) }
            return member != negated
        }
    }

    /// Compiles `pattern`; check ``isValid`` to learn whether it compiled.
    public init(_ pattern: String) {
        source = pattern
        if let tokens = Self.compile(Array(pattern.unicodeScalars)) {
            self.tokens = tokens
            isValid = true
        } else {
            tokens = []
            isValid = false
        }
    }

    public var description: String { source }

    /// Whether `candidate` matches the whole pattern (not just a prefix or substring).
    public func matches(_ candidate: String) -> Bool {
        guard isValid else { return false }
        return Self.match(tokens, Array(candidate.unicodeScalars))
    }

    /// Returns nil when the pattern is malformed.
    private static func compile(_ scalars: [Unicode.Scalar]) -> [Token]? {
        var tokens: [Token] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "*":
                if tokens.last != .anyRun { tokens.append(.anyRun) }
                index += 1
            case "?":
                tokens.append(.anyOne)
                index += 1
            case "[":
                guard let (characterClass, next) = compileClass(scalars, openingAt: index) else { return nil }
                tokens.append(.characterClass(characterClass))
                index = next
            default:
                tokens.append(.literal(scalar))
                index += 1
            }
        }
        return tokens
    }

    /// Parses the class whose `[` is at `start`; returns it and the index after its `]`.
    private static func compileClass(_ scalars: [Unicode.Scalar], openingAt start: Int) -> (CharacterClass, Int)? {
        var index = start + 1
        var negated = false
        if index < scalars.count, scalars[index] == "!" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<Unicode.Scalar>] = []
        var first = true
        while index < scalars.count {
            let scalar = scalars[index]
            // A `]` ends the class, except as its first member, where an empty class would be useless
            // and the shell convention makes it literal.
            if scalar == "]", !first {
                return (CharacterClass(negated: negated, ranges: ranges), index + 1)
            }
            first = false
            // `a-z` is a range unless the `-` is the last member (then `-` is literal, as is a leading `-`).
            if index + 2 < scalars.count, scalars[index + 1] == "-", scalars[index + 2] != "]" {
                let upper = scalars[index + 2]
                guard scalar <= upper else { return nil }
                ranges.append(scalar...upper)
                index += 3
            } else {
                ranges.append(scalar...scalar)
                index += 1
            }
        }
        // Ran off the end: unclosed `[`.
        return nil
    }

    /// Iterative wildcard matching with single-point backtracking. Because every star means the
    /// same thing ("any run"), only the most recent star ever needs to be retried, which keeps the
    /// worst case at O(pattern × candidate) and immune to pathological patterns like `*a*a*a*b`.
    private static func match(_ tokens: [Token], _ candidate: [Unicode.Scalar]) -> Bool {
        var tokenIndex = 0
        var candidateIndex = 0
        var starTokenIndex: Int?
        var starCandidateIndex = 0

        while candidateIndex < candidate.count {
            if tokenIndex < tokens.count {
                let scalar = candidate[candidateIndex]
                switch tokens[tokenIndex] {
                case .anyRun:
                    starTokenIndex = tokenIndex
                    starCandidateIndex = candidateIndex
                    tokenIndex += 1
                    continue
                case .anyOne:
                    tokenIndex += 1
                    candidateIndex += 1
                    continue
                case .literal(let expected) where expected == scalar:
                    tokenIndex += 1
                    candidateIndex += 1
                    continue
                case .characterClass(let characterClass) where characterClass.contains(scalar):
                    tokenIndex += 1
                    candidateIndex += 1
                    continue
                default:
                    break
                }
            }
            // Mismatch (or pattern exhausted): let the last star swallow one more character.
            guard let star = starTokenIndex else { return false }
            starCandidateIndex += 1
            candidateIndex = starCandidateIndex
            tokenIndex = star + 1
        }
        // Candidate consumed: only trailing stars may remain.
        while tokenIndex < tokens.count, tokens[tokenIndex] == .anyRun { tokenIndex += 1 }
        return tokenIndex == tokens.count
    }
}
