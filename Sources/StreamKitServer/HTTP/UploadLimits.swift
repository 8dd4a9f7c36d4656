/// The server's limits on a request body that streams in (multipart uploads and oneshot runs).
struct UploadLimits: Sendable {
    /// `server.max_body_size`.
    var maxBodySize: Int
    /// `server.multipart_max_fields`.
    var multipartMaxFields: Int

    init(_ server: ServerConfiguration.Server) {
        maxBodySize = server.maxBodySize
        multipartMaxFields = server.multipartMaxFields
    }
}
