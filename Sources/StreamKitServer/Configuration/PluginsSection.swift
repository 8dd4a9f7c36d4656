import StreamKitComponentModel

extension ServerConfiguration {
    /// `[plugins]`: plugin directory and HTTP management.
    public struct Plugins: Sendable, Equatable {
        /// Directory holding `native/` and `wasm/` plugin files.
        public var directory = ".plugins"
        /// Allow uploading and deleting plugins over HTTP.
        public var allowHTTPManagement = false
        /// Largest plugin upload in bytes (ours; the original used `server.max_body_size`).
        public var maxUploadSize = 100 * 1024 * 1024
        /// CPU budget of one call into a WASM plugin, in milliseconds of the calling thread's CPU
        /// time (guest code and the host work it asks for; waiting does not count);
        /// exceeding it fails the node (the original has no such limit).
        public var wasmCPUBudgetMs = 50
        /// Memory cap of one WASM plugin instance (all its linear memories together), in MiB.
        public var wasmMemoryLimitMB = 64

        /// The limits every WASM plugin instance runs under.
        public var wasmLimits: ComponentLimits {
            ComponentLimits(cpuBudget: .milliseconds(wasmCPUBudgetMs), memoryLimit: wasmMemoryLimitMB << 20)
        }

        /// The defaults.
        public init() {}
    }
}
