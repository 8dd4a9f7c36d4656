extension ServerConfiguration {
    /// `[server]`: where and how the HTTP server listens, and its request limits.
    public struct Server: Sendable, Equatable {
        /// Literal `IP:port` to listen on (`127.0.0.1:4545`, `[::1]:4545`); see ``ListenAddress``.
        public var address = "127.0.0.1:4545"
        /// Serve HTTPS using ``certPath`` and ``keyPath``.
        public var tls = false
        /// PEM certificate file, used when ``tls`` is on.
        public var certPath = ""
        /// PEM private key file, used when ``tls`` is on.
        public var keyPath = ""
        /// Root directory of the sample pipelines.
        public var samplesDir = "./samples/pipelines"
        /// Largest accepted request body in bytes (plugin uploads, oneshot requests).
        public var maxBodySize = 100 * 1024 * 1024
        /// Sub-path the server is also mounted under (`/s/abc`), normalised by
        /// ``ServerConfiguration/normalizeBasePath(_:)``; nil serves at `/` only.
        public var basePath: String?
        /// Reserved by the original for a separate MoQ listener; accepted and unused.
        public var moqAddress: String?
        /// MoQ gateway URL handed to the UI by `/api/v1/config`.
        public var moqGatewayURL: String?
        /// `[server.cors]`.
        public var cors = CORS()
        /// Largest inbound WebSocket message in bytes (also `SK_WEBSOCKET_MAX_MESSAGE_BYTES`). Always > 0.
        public var websocketMaxMessageBytes = 1024 * 1024
        /// Most parts accepted in one multipart request.
        public var multipartMaxFields = 16
        /// Seconds a graceful shutdown waits for sessions and connections before giving up.
        public var shutdownTimeoutSecs = 10
        /// Seconds a connection may stay silent while its request is being read (or between requests)
        /// before it is closed: a client that stops sending cannot hold a slot. Always > 0.
        public var readTimeoutSecs = 30
        /// Seconds one write of a streamed response may wait for the client to read before the request is
        /// ended: a client that stops reading cannot hold a slot. Always > 0.
        public var writeTimeoutSecs = 30
        /// Most connections at once (HTTP, control and media WebSockets together). Always > 0.
        public var maxConnections = 2048
        /// Most connections at once from one remote IP address. Always > 0.
        public var maxConnectionsPerAddress = 512

        /// The defaults.
        public init() {}
    }

    /// `[server.cors]`: browser origins allowed for CORS, the Origin guard and WebSocket connections.
    public struct CORS: Sendable, Equatable {
        /// Origin patterns: `*` allows all, a pattern ending in `:*` matches any numeric port,
        /// anything else must match exactly. Empty: no CORS headers at all.
        public var allowedOrigins = [
            "http://localhost", "https://localhost", "http://localhost:*", "https://localhost:*",
            "http://127.0.0.1", "https://127.0.0.1", "http://127.0.0.1:*", "https://127.0.0.1:*",
        ]

        /// The defaults.
        public init() {}
    }
}
