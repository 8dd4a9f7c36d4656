import StreamKitCore

extension ServerConfiguration {
    /// `[resources]`: caching of expensive resources such as ML models.
    public struct Resources: Sendable, Equatable {
        /// Keep loaded models until unloaded or shutdown; when false, ``maxMemoryMB`` bounds an LRU cache.
        public var keepModelsLoaded = true
        /// Memory budget of the resource cache in MiB; nil means no limit.
        public var maxMemoryMB: Int?
        /// `[resources.prewarm]`.
        public var prewarm = Prewarm()

        /// The defaults.
        public init() {}
    }

    /// `[resources.prewarm]`: nodes instantiated once at startup so their models are loaded before first use.
    public struct Prewarm: Sendable, Equatable {
        /// Pre-warm at startup.
        public var enabled = false
        /// The nodes to pre-warm, in order.
        public var plugins: [PrewarmPlugin] = []

        /// The defaults.
        public init() {}
    }

    /// One `[[resources.prewarm.plugins]]` entry.
    public struct PrewarmPlugin: Sendable, Equatable {
        /// Node kind, e.g. `plugin::native::whisper`.
        public var kind: String
        /// Parameters for the warm-up instance.
        public var params: JSONValue?
        /// Parameters tried when ``params`` fail (e.g. CPU instead of GPU).
        public var fallbackParams: JSONValue?

        /// Creates an entry.
        public init(kind: String, params: JSONValue? = nil, fallbackParams: JSONValue? = nil) {
            self.kind = kind
            self.params = params
            self.fallbackParams = fallbackParams
        }
    }
}
