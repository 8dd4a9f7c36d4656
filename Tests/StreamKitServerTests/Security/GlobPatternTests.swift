import Testing
@testable import StreamKitServer

@Suite("GlobPattern and Allowlist")
struct GlobPatternTests {
    @Test(
        "matches",
        arguments: [
            // `*` crosses `::` and `/`.
            ("audio::*", "audio::opus::encoder", true),
            ("audio::*", "audio::gain", true),
            ("audio::*", "audio::", true),
            ("audio::*", "audio:", false),
            ("audio::*", "core::audio::gain", false),
            ("oneshot/*.yml", "oneshot/a.yml", true),
            ("oneshot/*.yml", "oneshot/nested/deeper/a.yml", true),
            ("oneshot/*.yml", "oneshot/a.yaml", false),
            ("oneshot/*.yml", "dynamic/a.yml", false),
            ("samples/**", "samples/audio/system/a.ogg", true),
            ("a**b", "a/x/y::zb", true),
            ("*", "", true),
            ("*", "anything/at::all", true),
            ("", "", true),
            ("", "x", false),
            // `?` is exactly one character.
            ("file?.wav", "file1.wav", true),
            ("file?.wav", "file.wav", false),
            ("file?.wav", "file12.wav", false),
            ("?", "é", true),
            // Classes.
            ("take[123].wav", "take2.wav", true),
            ("take[123].wav", "take4.wav", false),
            ("take[a-c].wav", "takeb.wav", true),
            ("take[a-c].wav", "taked.wav", false),
            ("take[!a].wav", "takeb.wav", true),
            ("take[!a].wav", "takea.wav", false),
            ("take[!a-c]", "takez", true),
            ("x[]]y", "x]y", true),
            ("x[-a]y", "x-y", true),
            ("x[a-]y", "x-y", true),
            ("x[*]y", "x*y", true),
            ("x[*]y", "xzy", false),
            // Case-sensitive; literal otherwise; anchored at both ends.
            ("Core::*", "core::sink", false),
            ("core::sink", "core::sink", true),
            ("core::sink", "core::sink2", false),
            ("core::sink", "xcore::sink", false),
            ("a\\b", "a\\b", true),
            // Backtracking.
            ("*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", true),
            ("*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", false),
            ("*.yml", "a.yml.yml", true),
            ("*x", "xxxy", false),
        ]
    )
    func matching(pattern: String, candidate: String, expected: Bool) {
        let glob = GlobPattern(pattern)
        #expect(glob.isValid)
        #expect(glob.matches(candidate) == expected, "\(pattern) vs \(candidate)")
    }

    @Test("invalid patterns never match", arguments: ["[abc", "a[", "[!", "[]", "x[z-a]y", "audio::[", "*["])
    func invalid(pattern: String) {
        let glob = GlobPattern(pattern)
        #expect(!glob.isValid)
        for candidate in ["", pattern, "a", "audio::x", "x", "[abc", "*"] {
            #expect(!glob.matches(candidate))
        }
    }

    @Test("an empty allowlist denies everything, `*` allows everything")
    func allowlistBasics() {
        let empty = Allowlist([])
        #expect(empty.isEmpty)
        #expect(!empty.allows(""))
        #expect(!empty.allows("core::sink"))

        let all = Allowlist(["*"])
        #expect(all.allows(""))
        #expect(all.allows("plugin::native::whisper"))
        #expect(all.allows("anything/at/all"))
    }

    @Test("an invalid pattern is reported and does not spoil the valid ones")
    func allowlistWithInvalidPattern() {
        let list = Allowlist(["core::[sink", "audio::*"])
        #expect(list.invalidPatterns == ["core::[sink"])
        #expect(list.allows("audio::gain"))
        #expect(!list.allows("core::[sink"))
        #expect(!list.allows("core::sink"))
    }

    @Test("built-in user role allowlists")
    func userRole() {
        let user = RolePermissions.user
        #expect(user.allowsNodeKind("audio::opus::encoder"))
        #expect(user.allowsNodeKind("plugin::native::whisper"))
        #expect(user.allowsNodeKind("core::file_reader"))
        #expect(!user.allowsNodeKind("core::file_writer"))
        #expect(!user.allowsNodeKind("streamkit::http_input"))
        #expect(!user.allowsNodeKind("transport::http::fetcher"))
        #expect(user.sampleAllowlist.allows("oneshot/nested/x.yml"))
        #expect(!user.sampleAllowlist.allows("demo/x.yml"))
        #expect(user.assetAllowlist.allows("samples/audio/user/x.wav"))

        var restricted = user
        restricted.allowedPlugins = ["plugin::wasm::*"]
        #expect(restricted.allowsNodeKind("plugin::wasm::gain"))
        #expect(!restricted.allowsNodeKind("plugin::native::gain"))
        #expect(RolePermissions.admin.allowsNodeKind("core::file_writer"))
        #expect(!RolePermissions().allowsNodeKind("core::sink"))
    }
}
