import Foundation
import StreamKitCore
import Synchronization

/// A file opened for reading with plain POSIX calls, so every error names the file and the cause.
public final class FileReadHandle: Sendable {
    public let path: String
    private let descriptor: Int32
    /// Standard input is borrowed, not owned: closing the handle leaves it open.
    private let owned: Bool
    private let closed = Mutex(false)

    /// The process's standard input.
    public static let standardInput = FileReadHandle(descriptor: STDIN_FILENO, name: "standard input")

    private init(descriptor: Int32, name: String) {
        self.path = name
        self.descriptor = descriptor
        self.owned = false
    }

    public init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw StreamKitError.io("cannot open '\(path)' for reading: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            _ = Foundation.close(descriptor)
            throw StreamKitError.io("'\(path)' is a directory, not a file")
        }
        self.descriptor = descriptor
        self.owned = true
    }

    /// Up to `count` bytes; empty at the end of the file.
    public func read(upTo count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let got = buffer.withUnsafeMutableBytes { raw -> Int in
            while true {
                let result = Foundation.read(descriptor, raw.baseAddress, count)
                if result < 0 && errno == EINTR { continue }
                return result
            }
        }
        guard got >= 0 else {
            throw StreamKitError.io("cannot read '\(path)': \(String(cString: strerror(errno)))")
        }
        buffer.removeLast(count - got)
        return buffer
    }

    /// Closes the file once; later calls do nothing (a second close could hit a reused descriptor).
    public func close() {
        guard owned, !closed.withLock({ closed in defer { closed = true }; return closed }) else { return }
        _ = Foundation.close(descriptor)
    }
}

/// A file opened for writing with plain POSIX calls, so every error names the file and the cause.
public final class FileWriteHandle: Sendable {
    public let path: String
    private let descriptor: Int32
    private let closed: Mutex<Bool>

    /// The process's standard output (borrowed: closing the handle leaves it open).
    public static let standardOutput = FileWriteHandle(descriptor: STDOUT_FILENO, name: "standard output")

    private init(descriptor: Int32, name: String) {
        self.path = name
        self.descriptor = descriptor
        self.closed = Mutex(true)
    }

    public init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw StreamKitError.io("cannot open '\(path)' for writing: \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
        self.closed = Mutex(false)
    }

    public func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Foundation.write(descriptor, raw.baseAddress.map { $0 + offset }, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw StreamKitError.io("cannot write '\(path)': \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Whether the output can be rewound (a regular file, not a pipe).
    public var isSeekable: Bool {
        lseek(descriptor, 0, SEEK_CUR) >= 0
    }

    /// Writes `bytes` at `offset` without moving the write position (to patch a header).
    public func write(_ bytes: [UInt8], at offset: Int) throws {
        let written = bytes.withUnsafeBytes { raw in pwrite(descriptor, raw.baseAddress, bytes.count, off_t(offset)) }
        guard written == bytes.count else {
            throw StreamKitError.io("cannot patch '\(path)' at byte \(offset): \(String(cString: strerror(errno)))")
        }
    }

    /// Closes the file once; later calls do nothing (a second close could hit a reused descriptor).
    public func close() throws {
        let alreadyClosed = closed.withLock { closed in
            defer { closed = true }
            return closed
        }
        guard !alreadyClosed else { return }
        guard Foundation.close(descriptor) == 0 else {
            throw StreamKitError.io("cannot close '\(path)': \(String(cString: strerror(errno)))")
        }
    }
}
