import Foundation
import NIOCore

/// Where the bytes of an upload come from: a file (read in chunks as the request goes out, never
/// loaded whole), standard input, or bytes already in memory.
public enum UploadSource: Sendable {
    case file(path: String)
    case standardInput
    case bytes([UInt8])

    /// `-` means standard input; anything else is a file path.
    public init(argument: String) {
        self = argument == "-" ? .standardInput : .file(path: argument)
    }

    /// The file name sent in the part's `Content-Disposition`.
    var fileName: String {
        switch self {
        case .file(let path): (path as NSString).lastPathComponent
        case .standardInput: "stdin"
        case .bytes: "media.bin"
        }
    }

    /// The total size when it is known up front (regular files and bytes), so the request can carry a
    /// `Content-Length`; nil for standard input and anything else that is not a regular file.
    func knownLength() throws(StreamKitClientError) -> Int64? {
        switch self {
        case .bytes(let bytes): return Int64(bytes.count)
        case .standardInput: return nil
        case .file(let path):
            let attributes: [FileAttributeKey: Any]
            do {
                attributes = try FileManager.default.attributesOfItem(atPath: path)
            } catch {
                throw .invalidArgument("cannot read '\(path)': \(Self.reason(error))")
            }
            if let type = attributes[.type] as? FileAttributeType, type == .typeDirectory {
                throw .invalidArgument("'\(path)' is a directory, not a file")
            }
            guard let type = attributes[.type] as? FileAttributeType, type == .typeRegular,
                  let size = attributes[.size] as? NSNumber else { return nil }
            return size.int64Value
        }
    }

    /// Opens the source for reading.
    func openReader(chunkSize: Int) throws(StreamKitClientError) -> ChunkReader {
        switch self {
        case .bytes(let bytes): return ChunkReader(bytes: bytes, chunkSize: chunkSize)
        case .standardInput: return ChunkReader(handle: FileHandle.standardInput, closeWhenDone: false, chunkSize: chunkSize)
        case .file(let path):
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw .invalidArgument("cannot open '\(path)' for reading")
            }
            return ChunkReader(handle: handle, closeWhenDone: true, chunkSize: chunkSize)
        }
    }

    /// A file error in words (the system's description, without the error type's name).
    public static func reason(_ error: any Error) -> String {
        (error as NSError).localizedDescription
    }
}

/// Reads a file handle or an in-memory buffer in chunks.
final class ChunkReader {
    private let handle: FileHandle?
    private let closeWhenDone: Bool
    private var bytes: [UInt8]
    private var offset = 0
    private let chunkSize: Int
    private var finished = false

    init(handle: FileHandle, closeWhenDone: Bool, chunkSize: Int) {
        self.handle = handle
        self.closeWhenDone = closeWhenDone
        self.bytes = []
        self.chunkSize = max(1, chunkSize)
    }

    init(bytes: [UInt8], chunkSize: Int) {
        handle = nil
        closeWhenDone = false
        self.bytes = bytes
        self.chunkSize = max(1, chunkSize)
    }

    deinit { close() }

    /// The next chunk, or nil at the end.
    func next() throws(StreamKitClientError) -> ByteBuffer? {
        guard !finished else { return nil }
        guard let handle else {
            guard offset < bytes.count else { finished = true; return nil }
            let end = min(bytes.count, offset + chunkSize)
            defer { offset = end }
            return ByteBuffer(bytes: bytes[offset..<end])
        }
        let data: Data?
        do {
            data = try handle.read(upToCount: chunkSize)
        } catch {
            close()
            throw .invalidArgument("reading the input failed: \(UploadSource.reason(error))")
        }
        guard let data, !data.isEmpty else {
            close()
            return nil
        }
        return ByteBuffer(bytes: data)
    }

    func close() {
        guard !finished else { return }
        finished = true
        if closeWhenDone { try? handle?.close() }
    }
}

/// Where downloaded bytes go: a file (created or truncated) or standard output.
public enum DownloadTarget: Sendable, Equatable {
    case file(path: String)
    case standardOutput
    /// Count the bytes and drop them (load tests).
    case discard

    /// `-` means standard output; anything else is a file path.
    public init(argument: String) {
        self = argument == "-" ? .standardOutput : .file(path: argument)
    }

    func openWriter() throws(StreamKitClientError) -> ChunkWriter {
        switch self {
        case .discard: return ChunkWriter(handle: nil, closeWhenDone: false)
        case .standardOutput: return ChunkWriter(handle: FileHandle.standardOutput, closeWhenDone: false)
        case .file(let path):
            guard FileManager.default.createFile(atPath: path, contents: nil),
                  let handle = FileHandle(forWritingAtPath: path) else {
                throw .invalidArgument("cannot create '\(path)' for writing")
            }
            return ChunkWriter(handle: handle, closeWhenDone: true)
        }
    }
}

/// Writes chunks to a file handle (or nowhere) and counts them.
final class ChunkWriter {
    private let handle: FileHandle?
    private let closeWhenDone: Bool
    private(set) var bytesWritten: Int64 = 0

    init(handle: FileHandle?, closeWhenDone: Bool) {
        self.handle = handle
        self.closeWhenDone = closeWhenDone
    }

    func write(_ buffer: ByteBuffer) throws(StreamKitClientError) {
        bytesWritten += Int64(buffer.readableBytes)
        guard let handle, buffer.readableBytes > 0 else { return }
        do {
            try buffer.withUnsafeReadableBytes { pointer in
                try handle.write(contentsOf: Data(pointer))
            }
        } catch {
            throw .invalidArgument("writing the output failed: \(UploadSource.reason(error))")
        }
    }

    func close() {
        if closeWhenDone { try? handle?.close() }
    }
}
