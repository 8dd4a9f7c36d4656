/// Finds the candidate a mistyped word was most likely meant to be, for
/// "did you mean …?" hints (unknown node kinds, unknown parameter names, and so on).
///
/// Distances are edit distances over `Character`s where inserting, deleting or replacing
/// one character, or swapping two adjacent characters, each cost 1 (the "optimal string
/// alignment" form of the Damerau–Levenshtein distance), so `audio::gian` is one edit away
/// from `audio::gain`.
public enum ClosestMatch {
    /// Returns the candidate closest to `word`, or nil when none is close enough to be a
    /// plausible typo.
    ///
    /// - Parameters:
    ///   - word: What the person wrote.
    ///   - candidates: The valid spellings. When several are equally close, the first one
    ///     in this order wins; an exact match is always returned as is.
    ///   - maxDistance: The largest distance accepted. When nil, the limit is
    ///     `max(2, word.count / 3)`, and a candidate must also share something with the
    ///     word: a distance equal to the longer length (every character replaced, as with
    ///     `ab` → `cd`) is not offered. An explicit `maxDistance` is used exactly as given.
    /// - Returns: The chosen candidate, or nil (also for an empty candidate list).
    public static func find(_ word: String, in candidates: some Sequence<String>, maxDistance: Int? = nil) -> String? {
        let target = Array(word)
        let limit = maxDistance ?? max(2, target.count / 3)
        guard limit >= 0 else { return nil }

        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let other = Array(candidate)
            // The length difference is a lower bound on the distance: skip hopeless candidates cheaply.
            let lowerBound = abs(other.count - target.count)
            if lowerBound > limit { continue }
            if let best, lowerBound >= best.distance { continue }

            let distance = editDistance(target, other)
            guard distance <= limit else { continue }
            if maxDistance == nil, distance > 0, distance >= max(target.count, other.count) { continue }
            if best == nil || distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
                if distance == 0 { break }
            }
        }
        return best?.candidate
    }

    /// The edit distance between two strings: insertions, deletions, substitutions and
    /// transpositions of adjacent characters each cost 1.
    public static func distance(_ lhs: String, _ rhs: String) -> Int {
        editDistance(Array(lhs), Array(rhs))
    }

    /// Optimal string alignment distance, keeping only three rows of the table.
    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }

        var twoBack = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)

        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = a[i - 1] == b[j - 1] ? 0 : 1
                var cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + substitution)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    cost = min(cost, twoBack[j - 2] + 1)
                }
                current[j] = cost
            }
            (twoBack, previous, current) = (previous, current, twoBack)
        }
        return previous[b.count]
    }
}
