#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What is at a path, following symbolic links.
enum FileKind: Equatable {
    case missing
    case regular(size: Int)
    case directory
    case other

    static func of(_ path: String) -> FileKind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        let type = Int(info.st_mode) & Int(S_IFMT)
        if type == Int(S_IFREG) { return .regular(size: Int(info.st_size)) }
        if type == Int(S_IFDIR) { return .directory }
        return .other
    }
}
