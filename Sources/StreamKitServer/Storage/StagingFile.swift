import StreamKitCore
import StreamKitScheduling
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file being received from a client: created new (never over an existing file), written in
/// order on a queue of its own (never the cooperative pool), then closed and moved into place by
/// its owner, or discarded. Plugin uploads and asset uploads both stream into one.
final class StagingFile: Sendable {
    /// A write that did not reach the file; `errno` says why.
    struct WriteFailure: Error, CustomStringConvertible {
        var errno: Int32
        var description: String { "could not write the staging file (errno \(errno))" }
    }

    /// Where the file is.
    let path: String
    /// The open descriptor; nil once closed, so it is closed exactly once.
    private let descriptor: Mutex<Int32?>
    private let queue: BlockingQueue

    /// Creates the file at `path`, failing when something is already there. Blocking: call it
    /// on a ``BlockingQueue``, or use ``create(at:label:failure:)``.
    init(creating path: String, label: String) throws(WriteFailure) {
        let opened = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard opened >= 0 else { throw WriteFailure(errno: errno) }
        self.path = path
        self.descriptor = Mutex(opened)
        self.queue = BlockingQueue(label: label)
    }

    /// Creates the file at `path` off the cooperative pool; throws `failure` when it cannot be created.
    static func create(at path: String, label: String, failure: ServiceError) async throws(ServiceError) -> StagingFile {
        do {
            return try await BlockingQueue(label: label).run { try StagingFile(creating: path, label: label) }
        } catch {
            throw failure
        }
    }

    /// Appends all of `bytes`.
    func write(_ bytes: [UInt8]) async throws {
        try await queue.run { [self] in try writeNow(bytes) }
    }

    /// Closes the file (it stays where it is).
    func close() async {
        _ = try? await queue.run { [self] in closeNow() }
    }

    /// Closes and deletes the file (a failed or refused upload leaves nothing behind).
    func discard() async {
        _ = try? await queue.run { [self] in
            closeNow()
            unlink(path)
        }
    }

    /// Closes the descriptor now (blocking: for callers already on a ``BlockingQueue``).
    func closeNow() {
        guard let open = descriptor.withLock({ current -> Int32? in
            defer { current = nil }
            return current
        }) else { return }
        _ = systemClose(open)
    }

    private func writeNow(_ bytes: [UInt8]) throws(WriteFailure) {
        guard let open = descriptor.withLock({ $0 }) else { throw WriteFailure(errno: EBADF) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                systemWrite(open, buffer.baseAddress.map { $0 + offset }, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw WriteFailure(errno: errno)
            }
            offset += written
        }
    }
}

/// The C library's `write`, named apart from the method called `write`.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

/// The C library's `close`, named apart from the method called `close`.
private func systemClose(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}
