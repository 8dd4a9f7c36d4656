import Testing
@testable import StreamKitServer

@Suite("FilePathPolicy on a real directory tree")
struct FilePathPolicyTests {
    private static func policy(_ tree: SecurityTemporaryTree, read: [String] = ["samples/**"], write: [String] = ["out/**"]) -> FilePathPolicy {
        FilePathPolicy(allowedReadPaths: read, allowedWritePaths: write, workingDirectory: tree.work)
    }

    /// The reason `body` threw, or nil when it did not.
    private static func refusal(_ body: () throws(FilePathError) -> String) -> FilePathError? {
        do throws(FilePathError) {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }

    @Test("reads inside the allowlist return the canonical path")
    func allowedReads() throws {
        let tree = try SecurityTemporaryTree()
        let policy = Self.policy(tree)
        let expected = tree.work + "/samples/audio/a.wav"
        #expect(try policy.checkRead("samples/audio/a.wav") == expected)
        #expect(try policy.checkRead("./samples/audio/a.wav") == expected)
        #expect(try policy.checkRead(expected) == expected)
        // `..` is fine for reads: realpath resolves it before the allowlist sees the path.
        #expect(try policy.checkRead("samples/pipelines/../audio/a.wav") == expected)
        #expect(try policy.checkRead("samples/pipelines/p.yml") == tree.work + "/samples/pipelines/p.yml")
    }

    @Test("a symlink inside the allowed directory pointing outside is refused")
    func symlinkEscape() throws {
        let tree = try SecurityTemporaryTree()
        let policy = Self.policy(tree)
        let error = try #require(Self.refusal { () throws(FilePathError) in try policy.checkRead("samples/escape.txt") })
        #expect(error.reason == .outsideAllowedPaths)
        #expect(error.message == "Path 'samples/escape.txt' resolves to '\(tree.outside)/secret.txt' which is outside allowed directories. Configure security.allowed_file_paths to allow it")

        let throughDirectory = try #require(Self.refusal { () throws(FilePathError) in try policy.checkRead("samples/linkdir/secret.txt") })
        #expect(throughDirectory.reason == .outsideAllowedPaths)
    }

    @Test("`..` climbing out of the allowed directory is refused")
    func dotDotEscape() throws {
        let tree = try SecurityTemporaryTree()
        let policy = Self.policy(tree)
        for path in ["samples/../notes.txt", "samples/../../outside/secret.txt", tree.work + "/samples/../notes.txt"] {
            let error = try #require(Self.refusal { () throws(FilePathError) in try policy.checkRead(path) })
            #expect(error.reason == .outsideAllowedPaths)
            #expect(error.message.contains("'\(path)'"))
        }
    }

    @Test("missing paths, directories and malformed paths")
    func readFailures() throws {
        let tree = try SecurityTemporaryTree()
        let policy = Self.policy(tree)
        let missing = try #require(Self.refusal { () throws(FilePathError) in try policy.checkRead("samples/missing.wav") })
        #expect(missing.reason == .unresolvable)
        #expect(missing.message.contains("'samples/missing.wav'"))
        #expect(missing.message.contains(tree.work + "/samples/missing.wav"))

        let directory = try #require(Self.refusal { () throws(FilePathError) in try policy.checkRead("samples/subdir") })
        #expect(directory.reason == .notARegularFile)

        #expect(Self.refusal { () throws(FilePathError) in try policy.checkRead("") }?.reason == .invalidPath)
        // A NUL would truncate the C string: the checked path would differ from the opened one.
        #expect(Self.refusal { () throws(FilePathError) in try policy.checkRead("samples/audio/a.wav\0/../../../notes.txt") }?.reason == .invalidPath)
    }

    @Test("pattern forms: `**`, relative globs, absolute globs, symlinked pattern directories, empty list")
    func readPatterns() throws {
        let tree = try SecurityTemporaryTree()

        let everything = Self.policy(tree, read: ["**"])
        #expect(try everything.checkRead("notes.txt") == tree.work + "/notes.txt")
        #expect(try everything.checkRead(tree.outside + "/secret.txt") == tree.outside + "/secret.txt")

        // `*` crosses `/`, so `samples/*.wav` covers nested files.
        let wavs = Self.policy(tree, read: ["samples/*.wav"])
        #expect(try wavs.checkRead("samples/audio/a.wav") == tree.work + "/samples/audio/a.wav")
        #expect(Self.refusal { () throws(FilePathError) in try wavs.checkRead("samples/pipelines/p.yml") }?.reason == .outsideAllowedPaths)

        let absolute = Self.policy(tree, read: [tree.outside + "/*.txt"])
        #expect(try absolute.checkRead("../outside/secret.txt") == tree.outside + "/secret.txt")

        // A pattern directory that is itself a symlink allows what it points at.
        let linked = Self.policy(tree, read: ["media-link/**"])
        #expect(try linked.checkRead("media-link/x.bin") == tree.outside + "/data/x.bin")
        #expect(Self.refusal { () throws(FilePathError) in try linked.checkRead("../outside/secret.txt") }?.reason == .outsideAllowedPaths)

        let none = Self.policy(tree, read: [])
        #expect(Self.refusal { () throws(FilePathError) in try none.checkRead("samples/audio/a.wav") }?.reason == .outsideAllowedPaths)

        let invalid = Self.policy(tree, read: ["samples/[oops"])
        #expect(Self.refusal { () throws(FilePathError) in try invalid.checkRead("samples/audio/a.wav") }?.reason == .outsideAllowedPaths)
    }

    @Test("a working directory reached through a symlink is canonicalized")
    func symlinkedWorkingDirectory() throws {
        let tree = try SecurityTemporaryTree()
        let policy = FilePathPolicy(allowedReadPaths: ["samples/**"], allowedWritePaths: ["out/**"], workingDirectory: tree.root + "/work-link")
        #expect(policy.workingDirectory == tree.work)
        #expect(try policy.checkRead("samples/audio/a.wav") == tree.work + "/samples/audio/a.wav")
        #expect(try policy.checkWrite("out/new.wav") == tree.work + "/out/new.wav")
    }

    @Test("writes are disabled by an empty allowlist")
    func writesDisabled() throws {
        let tree = try SecurityTemporaryTree()
        let policy = Self.policy(tree, write: [])
        let error = try #require(Self.refusal { () throws(FilePathError) in try policy.checkWrite("out/new.wav") })
        #expect(error.reason == .writesDisabled)
        #expect(error.message == "File writes are disabled by configuration (security.allowed_write_paths is empty)")
    }

    @Test("writes inside the allowlist")
    func allowedWrites() throws {
        let tree = try SecurityTemporaryTree()
        let policy = Self.policy(tree)
        #expect(try policy.checkWrite("out/new.wav") == tree.work + "/out/new.wav")
        #expect(try policy.checkWrite("out/existing.wav") == tree.work + "/out/existing.wav")
        #expect(try policy.checkWrite("./out/sub/x.wav") == tree.work + "/out/sub/x.wav")
        #expect(try policy.checkWrite(tree.work + "/out/new.wav") == tree.work + "/out/new.wav")
        #expect(try policy.checkWrite(tree.root + "/work-link/out/new.wav") == tree.work + "/out/new.wav")
    }

    @Test(
        "write refusals",
        arguments: [
            ("out/../samples/x.wav", FilePathError.Reason.parentTraversal),
            ("out/sub/../x.wav", .parentTraversal),
            ("../work/out/x.wav", .parentTraversal),
            ("out/", .missingFileName),
            ("out/.", .missingFileName),
            ("out/missing/x.wav", .parentUnresolvable),
            ("out/existing.wav/x.wav", .parentNotADirectory),
            ("out/sub", .notARegularFile),
            ("out/evil.wav", .outsideAllowedPaths),
            ("out/dangling.wav", .danglingSymlink),
            ("samples/x.wav", .outsideAllowedPaths),
            ("samples/linkdir/new.txt", .outsideAllowedPaths),
            ("", .invalidPath),
        ]
    )
    func writeRefusals(path: String, reason: FilePathError.Reason) throws {
        let tree = try SecurityTemporaryTree()
        let policy = Self.policy(tree)
        let error = try #require(Self.refusal { () throws(FilePathError) in try policy.checkWrite(path) })
        #expect(error.reason == reason, "\(path): \(error.message)")
        if !path.isEmpty { #expect(error.message.contains("'\(path)'")) }
    }

    @Test("write refusal messages name the resolved path and the setting")
    func writeMessages() throws {
        let tree = try SecurityTemporaryTree()
        let policy = Self.policy(tree)
        let outside = try #require(Self.refusal { () throws(FilePathError) in try policy.checkWrite("samples/x.wav") })
        #expect(outside.message == "Path 'samples/x.wav' resolves to '\(tree.work)/samples/x.wav' which is outside allowed write directories. Configure security.allowed_write_paths to allow it")

        // The link's destination is what would be written, so that is what is judged and named.
        let link = try #require(Self.refusal { () throws(FilePathError) in try policy.checkWrite("out/evil.wav") })
        #expect(link.message.contains("'\(tree.outside)/secret.txt'"))

        // A destination that is allowed is fine, and is what gets returned.
        let everywhere = Self.policy(tree, write: ["out/**", tree.outside + "/**"])
        #expect(try everywhere.checkWrite("out/evil.wav") == tree.outside + "/secret.txt")
    }
}
