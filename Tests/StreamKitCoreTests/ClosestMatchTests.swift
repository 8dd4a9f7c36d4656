import Testing
import StreamKitCore

@Suite struct ClosestMatchTests {
    let kinds = ["audio::gain", "audio::mixer", "audio::resample", "core::passthrough", "core::file_reader"]

    @Test func transposedLettersFindTheKind() {
        #expect(ClosestMatch.find("audio::gian", in: kinds) == "audio::gain")
    }

    @Test func exactMatchReturnsItself() {
        #expect(ClosestMatch.find("audio::mixer", in: kinds) == "audio::mixer")
        #expect(ClosestMatch.find("gain", in: ["gian", "gain"]) == "gain")
    }

    @Test func emptyCandidatesGiveNil() {
        #expect(ClosestMatch.find("gain", in: [String]()) == nil)
        #expect(ClosestMatch.find("", in: [String]()) == nil)
    }

    @Test func tooFarIsNil() {
        // "passthru" → "passthrough" needs 3 insertions; the default limit for 8 characters is 2.
        #expect(ClosestMatch.find("passthru", in: ["passthrough", "gain"]) == nil)
        #expect(ClosestMatch.find("video::scale", in: kinds) == nil)
        // A bigger explicit limit accepts it.
        #expect(ClosestMatch.find("passthru", in: ["passthrough", "gain"], maxDistance: 3) == "passthrough")
    }

    @Test func namespacedKindWithinLimit() {
        // 14 characters → limit 4; "core::passthru" is 3 edits from "core::passthrough".
        #expect(ClosestMatch.find("core::passthru", in: kinds) == "core::passthrough")
    }

    @Test func tiesGoToTheFirstCandidate() {
        #expect(ClosestMatch.find("gaim", in: ["gait", "gain"]) == "gait")
        #expect(ClosestMatch.find("gaim", in: ["gain", "gait"]) == "gain")
    }

    @Test func closestWinsOverEarlier() {
        #expect(ClosestMatch.find("mode", in: ["node", "mode_x", "mode"]) == "mode")
        #expect(ClosestMatch.find("gainn", in: ["again", "gain"]) == "gain")
    }

    @Test func completelyDifferentShortWordsAreNotSuggested() {
        #expect(ClosestMatch.find("ab", in: ["cd"]) == nil)
        #expect(ClosestMatch.find("x", in: ["y"]) == nil)
        // An explicit limit is taken literally.
        #expect(ClosestMatch.find("x", in: ["y"], maxDistance: 1) == "y")
    }

    @Test func explicitZeroLimitOnlyMatchesExactly() {
        #expect(ClosestMatch.find("gian", in: ["gain"], maxDistance: 0) == nil)
        #expect(ClosestMatch.find("gain", in: ["gain"], maxDistance: 0) == "gain")
        #expect(ClosestMatch.find("gain", in: ["gain"], maxDistance: -1) == nil)
    }

    @Test func distances() {
        #expect(ClosestMatch.distance("", "") == 0)
        #expect(ClosestMatch.distance("", "abc") == 3)
        #expect(ClosestMatch.distance("kitten", "sitting") == 3)
        #expect(ClosestMatch.distance("gian", "gain") == 1)
        #expect(ClosestMatch.distance("ca", "abc") == 3)  // optimal string alignment, not full Damerau
        #expect(ClosestMatch.distance("sample_rate", "sampel_rate") == 1)
        #expect(ClosestMatch.distance("héllo", "hello") == 1)
    }

    @Test func acceptsAnySequence() {
        let set: Set<String> = ["gain"]
        #expect(ClosestMatch.find("gian", in: set) == "gain")
        #expect(ClosestMatch.find("gian", in: ["gain": 1].keys) == "gain")
    }
}
