extension ServerConfiguration {
    /// `[plugins]`: plugin directory and HTTP management.
    public struct Plugins: Sendable, Equatable {
        /// Directory holding `native/` and `wasm/` plugin files.
        public var directory = ".plugins"
        /// Allow uploading and deleting plugins over HTTP.
        public var allowHTTPManagement = false
        /// Largest plugin upload in bytes (ours; the original used `server.max_body_size`).
        public var maxUploadSize = 100 * 1024 * 1024

        /// The defaults.
        public init() {}
    }
}
