import Foundation
import NIOCore

/// One field of a `multipart/form-data` request.
public struct MultipartField: Sendable {
    public var name: String
    /// Sent as `filename="…"` when set.
    public var fileName: String?
    /// The part's `Content-Type`, when set.
    public var contentType: String?
    public var source: UploadSource

    public init(name: String, fileName: String? = nil, contentType: String? = nil, source: UploadSource) {
        self.name = name
        self.fileName = fileName
        self.contentType = contentType
        self.source = source
    }

    /// The part's header block, with the boundary line before it.
    func head(boundary: String) -> [UInt8] {
        var text = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(name))\""
        if let fileName { text += "; filename=\"\(Self.quoted(fileName))\"" }
        text += "\r\n"
        if let contentType { text += "Content-Type: \(contentType)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// Escapes quotes and strips line breaks, so a file name cannot break the header.
    static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: "")
    }
}

/// A `multipart/form-data` body produced piece by piece while the request is sent: field headers,
/// then each field's bytes in chunks straight from its source (a large file is never held in
/// memory), then the closing boundary.
public struct MultipartBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    public let fields: [MultipartField]
    public let boundary: String
    /// Bytes read from a file per chunk.
    public let chunkSize: Int

    public init(fields: [MultipartField], boundary: String = "streamkit-" + UUID().uuidString.lowercased(), chunkSize: Int = 64 * 1024) {
        self.fields = fields
        self.boundary = boundary
        self.chunkSize = chunkSize
    }

    /// The request's `Content-Type` header.
    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// The exact body size when every field's size is known (so `Content-Length` can be sent).
    public func knownLength() throws(StreamKitClientError) -> Int64? {
        var total: Int64 = 0
        for field in fields {
            guard let size = try field.source.knownLength() else { return nil }
            total += Int64(field.head(boundary: boundary).count) + size + 2
        }
        return total + Int64(closing.count)
    }

    private var closing: [UInt8] { Array("--\(boundary)--\r\n".utf8) }

    public func makeAsyncIterator() -> Iterator {
        Iterator(body: self)
    }

    /// Produces the body's chunks in order.
    public struct Iterator: AsyncIteratorProtocol {
        private let body: MultipartBody
        private var fieldIndex = 0
        private var reader: ChunkReader?
        private var done = false

        init(body: MultipartBody) {
            self.body = body
        }

        public mutating func next() async throws -> ByteBuffer? {
            while !done {
                if let reader {
                    if let chunk = try reader.next() { return chunk }
                    self.reader = nil
                    fieldIndex += 1
                    return ByteBuffer(bytes: Array("\r\n".utf8))
                }
                guard fieldIndex < body.fields.count else {
                    done = true
                    return ByteBuffer(bytes: body.closing)
                }
                let field = body.fields[fieldIndex]
                reader = try field.source.openReader(chunkSize: body.chunkSize)
                return ByteBuffer(bytes: field.head(boundary: body.boundary))
            }
            return nil
        }
    }
}
