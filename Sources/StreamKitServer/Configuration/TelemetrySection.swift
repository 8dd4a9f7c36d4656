extension ServerConfiguration {
    /// `[telemetry]`: the original's OpenTelemetry keys. They are accepted so the original's files load;
    /// StreamKit for Swift serves Prometheus metrics at `/metrics` when ``enable`` is on.
    public struct Telemetry: Sendable, Equatable {
        /// Collect metrics.
        public var enable = true
        /// OTLP metrics export URL (not used by StreamKit for Swift).
        public var otlpEndpoint: String?
        /// Headers sent with OTLP exports (not used by StreamKit for Swift).
        public var otlpHeaders: [String: String] = [:]
        /// Enable tracing export (not used by StreamKit for Swift).
        public var tracingEnable = false
        /// OTLP traces export URL (not used by StreamKit for Swift).
        public var otlpTracesEndpoint: String?
        /// tokio-console support in the original; has no effect here.
        public var tokioConsole = false

        /// The defaults.
        public init() {}
    }
}
