/// Where a oneshot run reads its input bytes from (a request body, a file, stdin).
/// Pull-based, so a slow pipeline simply reads more slowly.
public protocol ByteSource: Sendable {
    /// The next chunk, or nil at the end of the stream.
    func read() async throws -> [UInt8]?
}

/// Where a oneshot run writes its output bytes (a response body, a file, stdout).
public protocol ByteSink: Sendable {
    /// Writes a chunk, waiting while the consumer is behind. Throws when the consumer has gone away.
    func write(_ bytes: [UInt8]) async throws
}

/// A node that stands for the oneshot run's input (`streamkit::http_input`); the engine binds it
/// to the run's byte source.
public protocol OneshotInputEndpoint: Node {
    func bound(to source: any ByteSource, contentType: String?) -> any Node
}

/// A node that stands for the oneshot run's output (`streamkit::http_output`); the engine binds it
/// to the run's byte sink.
public protocol OneshotOutputEndpoint: Node {
    /// A content type set in the node's parameters; it wins over every other source.
    var declaredContentType: String? { get }
    func bound(to sink: any ByteSink) -> any Node
}
