#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file-system questions the path policy asks, answered by the C library directly so
/// the behaviour (symlinks followed, `..` resolved, errno reported) is exactly `realpath(3)`'s
/// and `lstat(2)`'s on every platform.
enum FileSystemProbe {
    /// What is at a path.
    enum EntryType: Equatable {
        case regularFile
        case directory
        case symbolicLink
        case other
    }

    /// The canonical absolute path (every symlink, `.` and `..` resolved), or the reason it
    /// cannot be resolved (it does not exist, a component is not a directory, no permission…).
    static func canonicalPath(_ path: String) -> Result<String, ProbeError> {
        // A NUL would silently cut the C string short, so the path checked would not be the path used.
        guard !path.utf8.contains(0) else { return .failure(ProbeError(code: EINVAL)) }
        guard let resolved = realpath(path, nil) else { return .failure(ProbeError(code: errno)) }
        defer { free(resolved) }
        return .success(String(cString: resolved))
    }

    /// The type of the entry at `path`, without following a final symlink; nil when nothing is there.
    static func entryType(_ path: String) -> EntryType? {
        guard !path.utf8.contains(0) else { return nil }
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regularFile
        case S_IFDIR: return .directory
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    /// The current working directory of the process, if it can be read.
    static func currentDirectory() -> String? {
        guard let buffer = getcwd(nil, 0) else { return nil }
        defer { free(buffer) }
        return String(cString: buffer)
    }

    /// An `errno` with its text.
    struct ProbeError: Error, Equatable {
        var code: Int32
        var reason: String {
            guard let text = strerror(code) else { return "error \(code)" }
            return String(cString: text)
        }
    }
}
