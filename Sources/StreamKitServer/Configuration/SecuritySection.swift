extension ServerConfiguration {
    /// `[security]`: file paths nodes may touch.
    public struct Security: Sendable, Equatable {
        /// Glob patterns of files `core::file_reader` and `core::script` may read (relative to the working directory).
        public var allowedFilePaths = ["samples/**"]
        /// Glob patterns of files `core::file_writer` may write; empty denies every write.
        public var allowedWritePaths: [String] = []

        /// The defaults.
        public init() {}
    }
}
