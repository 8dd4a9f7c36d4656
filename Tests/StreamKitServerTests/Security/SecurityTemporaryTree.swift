import Foundation

/// A real directory tree in the system temporary directory for the path-policy tests:
///
///     <root>/
///       work/                          the working directory
///         notes.txt
///         samples/audio/a.wav
///         samples/pipelines/p.yml
///         samples/subdir/
///         samples/escape.txt  -> <root>/outside/secret.txt
///         samples/linkdir     -> <root>/outside
///         media-link          -> <root>/outside/data
///         out/existing.wav
///         out/sub/
///         out/evil.wav        -> <root>/outside/secret.txt
///         out/dangling.wav    -> <root>/outside/nope.wav (does not exist)
///       outside/secret.txt
///       outside/data/x.bin
///       work-link             -> <root>/work
///
/// Removed when the value is deinitialized.
final class SecurityTemporaryTree {
    /// The canonical root (the temporary directory may itself sit behind a symlink, as on macOS).
    let root: String
    var work: String { root + "/work" }
    var outside: String { root + "/outside" }

    init() throws {
        let manager = FileManager.default
        let base = manager.temporaryDirectory.appendingPathComponent("streamkit-security-\(UUID().uuidString)")
        try manager.createDirectory(at: base, withIntermediateDirectories: true)
        root = base.resolvingSymlinksInPath().path
        for directory in ["work/samples/audio", "work/samples/pipelines", "work/samples/subdir", "work/out/sub", "outside/data"] {
            try manager.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
        }
        for file in ["work/notes.txt", "work/samples/audio/a.wav", "work/samples/pipelines/p.yml",
                     "work/out/existing.wav", "outside/secret.txt", "outside/data/x.bin"] {
            guard manager.createFile(atPath: root + "/" + file, contents: Data("data".utf8)) else {
                throw CocoaError(.fileWriteUnknown)
            }
        }
        let links = [
            ("work/samples/escape.txt", "../../outside/secret.txt"),
            ("work/samples/linkdir", "../../outside"),
            ("work/media-link", "../outside/data"),
            ("work/out/evil.wav", "../../outside/secret.txt"),
            ("work/out/dangling.wav", "../../outside/nope.wav"),
            ("work-link", "work"),
        ]
        for (link, destination) in links {
            try manager.createSymbolicLink(atPath: root + "/" + link, withDestinationPath: destination)
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }
}
