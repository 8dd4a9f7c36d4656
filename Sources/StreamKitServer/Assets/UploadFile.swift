#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An upload being written: an open temporary file in the user directory.
struct UploadFile: Sendable {
    let descriptor: Int32
    let temporaryPath: String
    /// The final file name.
    let target: String

    /// Writes all of `bytes` (blocking; call it on a ``BlockingQueue``).
    func write(_ bytes: [UInt8]) throws(ServiceError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                systemWrite(descriptor, buffer.baseAddress.map { $0 + offset }, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw ServiceError.storage(code: "io_error", message: "could not write the uploaded file")
            }
            offset += written
        }
    }

    /// Closes the descriptor (blocking; call it on a ``BlockingQueue``).
    func close() {
        _ = systemClose(descriptor)
    }
}

/// The C library's `write`, named apart from the methods called `write`.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

/// The C library's `close`, named apart from the method called `close`.
private func systemClose(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}
