import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing a file so that readers never see it half-written.
enum AtomicFile {
    /// Writes `data` to a hidden temporary file next to `target`, then moves it into place:
    /// replacing an existing file when `replacing`, otherwise failing with `conflict()` if
    /// `target` exists (hard link, which never replaces, then unlink of the temporary).
    static func write(_ data: Data, to target: URL, replacing: Bool, conflict: () -> ServiceError) throws(ServiceError) {
        let directory = target.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try data.write(to: temporary, options: [.withoutOverwriting])
        } catch {
            throw .storage(code: "io_error", message: "could not write '\(target.lastPathComponent)'")
        }
        defer { unlink(temporary.path) }
        try place(temporary: temporary.path, at: target.path, replacing: replacing, conflict: conflict)
    }

    /// Moves the finished `temporary` file to `target` (see ``write(_:to:replacing:conflict:)``).
    /// The temporary path is left for the caller to remove when it still exists.
    static func place(temporary: String, at target: String, replacing: Bool, conflict: () -> ServiceError) throws(ServiceError) {
        if replacing {
            guard rename(temporary, target) == 0 else { throw placementFailure }
            return
        }
        if link(temporary, target) == 0 { return }
        let failure = errno
        if failure == EEXIST { throw conflict() }
        // File systems without hard links: check, then rename (a tiny window, but the best available).
        guard FileKind.of(target) == .missing else { throw conflict() }
        guard rename(temporary, target) == 0 else { throw placementFailure }
    }

    private static let placementFailure = ServiceError.storage(code: "io_error", message: "could not move the new file into place")
}
