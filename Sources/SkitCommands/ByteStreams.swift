import Foundation
import StreamKitCore
import StreamKitNodes
import StreamKitScheduling
import Synchronization

/// Reads a file (or standard input) in chunks on a blocking queue, counting what it read.
final class FileByteSource: ByteSource {
    let path: String
    private let handle: FileReadHandle
    private let queue = BlockingQueue(label: "skit.input")
    private let chunkSize: Int
    let bytesRead = Atomic<Int64>(0)
    /// Size of the file, when it is a regular file.
    let totalBytes: Int64?

    init(path: String, chunkSize: Int = 64 * 1024) throws {
        self.path = path
        self.chunkSize = chunkSize
        if path == "-" {
            handle = .standardInput
            totalBytes = nil
        } else {
            handle = try FileReadHandle(path: path)
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            totalBytes = (attributes?[.size] as? NSNumber)?.int64Value
        }
    }

    func read() async throws -> [UInt8]? {
        let chunkSize = self.chunkSize
        let handle = self.handle
        let chunk = try await queue.run { try handle.read(upTo: chunkSize) }
        guard !chunk.isEmpty else {
            handle.close()
            return nil
        }
        bytesRead.add(Int64(chunk.count), ordering: .relaxed)
        return chunk
    }
}

/// Writes to a file (or standard output) on a blocking queue, counting what it wrote.
final class FileByteSink: ByteSink {
    private let handle: FileWriteHandle
    private let queue = BlockingQueue(label: "skit.output")
    let bytesWritten = Atomic<Int64>(0)

    init(path: String) throws {
        handle = path == "-" ? .standardOutput : try FileWriteHandle(path: path)
    }

    func write(_ bytes: [UInt8]) async throws {
        let handle = self.handle
        try await queue.run { try handle.write(bytes) }
        bytesWritten.add(Int64(bytes.count), ordering: .relaxed)
    }

    func close() async throws {
        let handle = self.handle
        try await queue.run { try handle.close() }
    }
}

/// Messages and terminal checks on the standard streams.
enum StandardStreams {
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
