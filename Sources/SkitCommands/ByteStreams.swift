import Foundation
import StreamKitCore
import StreamKitNodes
import Synchronization

/// Reads a file (or standard input) in chunks on a blocking queue, counting what it read.
final class FileByteSource: ByteSource {
    let path: String
    private let handle: FileReadHandle?
    private let descriptorIsStdin: Bool
    private let queue = BlockingQueue(label: "skit.input")
    private let chunkSize: Int
    let bytesRead = Atomic<Int64>(0)
    /// Size of the file, when it is a regular file.
    let totalBytes: Int64?

    init(path: String, chunkSize: Int = 64 * 1024) throws {
        self.path = path
        self.chunkSize = chunkSize
        if path == "-" {
            handle = nil
            descriptorIsStdin = true
            totalBytes = nil
        } else {
            let handle = try FileReadHandle(path: path)
            self.handle = handle
            descriptorIsStdin = false
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            totalBytes = (attributes?[.size] as? NSNumber)?.int64Value
        }
    }

    func read() async throws -> [UInt8]? {
        let chunkSize = self.chunkSize
        let handle = self.handle
        let chunk = try await queue.run { () throws -> [UInt8] in
            if let handle { return try handle.read(upTo: chunkSize) }
            return try StandardStreams.readStdin(upTo: chunkSize)
        }
        guard !chunk.isEmpty else {
            handle?.close()
            return nil
        }
        bytesRead.add(Int64(chunk.count), ordering: .relaxed)
        return chunk
    }
}

/// Writes to a file (or standard output) on a blocking queue, counting what it wrote.
final class FileByteSink: ByteSink {
    private let handle: FileWriteHandle?
    private let queue = BlockingQueue(label: "skit.output")
    let bytesWritten = Atomic<Int64>(0)

    init(path: String) throws {
        handle = path == "-" ? nil : try FileWriteHandle(path: path)
    }

    func write(_ bytes: [UInt8]) async throws {
        let handle = self.handle
        try await queue.run {
            if let handle { try handle.write(bytes) } else { try StandardStreams.writeStdout(bytes) }
        }
        bytesWritten.add(Int64(bytes.count), ordering: .relaxed)
    }

    func close() async throws {
        let handle = self.handle
        try await queue.run { try handle?.close() }
    }
}

/// Plain POSIX reads and writes on the standard streams.
enum StandardStreams {
    static func readStdin(upTo count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let got = buffer.withUnsafeMutableBytes { raw -> Int in
            while true {
                let result = Foundation.read(STDIN_FILENO, raw.baseAddress, count)
                if result < 0 && errno == EINTR { continue }
                return result
            }
        }
        guard got >= 0 else { throw StreamKitError.io("cannot read standard input: \(String(cString: strerror(errno)))") }
        buffer.removeLast(count - got)
        return buffer
    }

    static func writeStdout(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Foundation.write(STDOUT_FILENO, raw.baseAddress.map { $0 + offset }, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw StreamKitError.io("cannot write standard output: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }
}

/// Guesses a media type from a file name, for nodes that care about the input's type.
enum MediaType {
    static func guess(path: String) -> String? {
        switch (path as NSString).pathExtension.lowercased() {
        case "wav", "wave": "audio/wav"
        case "ogg", "opus": "audio/ogg"
        case "webm": "audio/webm"
        case "flac": "audio/flac"
        case "mp3": "audio/mpeg"
        case "txt": "text/plain"
        case "json": "application/json"
        default: nil
        }
    }
}
