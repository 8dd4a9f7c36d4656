extension ServerConfiguration {
    /// A named capacity preset for dynamic sessions.
    public enum EngineProfile: String, Sendable, Equatable, CaseIterable {
        /// Small queues: 8 per node input, 4 per fan-out.
        case lowLatency = "low-latency"
        /// 32 per node input, 16 per fan-out.
        case balanced
        /// Large queues: 128 per node input, 64 per fan-out.
        case highThroughput = "high-throughput"

        /// Packets queued per node input under this profile.
        public var nodeInputCapacity: Int {
            switch self {
            case .lowLatency: 8
            case .balanced: 32
            case .highThroughput: 128
            }
        }

        /// Packets queued per output fan-out under this profile.
        public var pinDistributorCapacity: Int {
            switch self {
            case .lowLatency: 4
            case .balanced: 16
            case .highThroughput: 64
            }
        }
    }

    /// `[engine]`: capacities of dynamic sessions, plus `[engine.oneshot]` and `[engine.advanced]`.
    ///
    /// Optional capacities resolve as: explicit value, else the ``profile``'s value, else the engine default
    /// (see ``ServerConfiguration/engineConfiguration()``).
    public struct Engine: Sendable, Equatable {
        /// Capacity preset; nil uses the engine defaults.
        public var profile: EngineProfile?
        /// Packets a node may take from its inputs at once.
        public var packetBatchSize = 32
        /// Packets queued per node input (default 128).
        public var nodeInputCapacity: Int?
        /// Packets queued per output fan-out (default 64).
        public var pinDistributorCapacity: Int?
        /// `[engine.oneshot]`.
        public var oneshot = OneshotEngine()
        /// `[engine.advanced]`.
        public var advanced = AdvancedEngine()

        /// The defaults.
        public init() {}

        /// ``pinDistributorCapacity`` resolved: explicit, else the profile's, else 64.
        public var resolvedPinDistributorCapacity: Int {
            pinDistributorCapacity ?? profile?.pinDistributorCapacity ?? 64
        }
    }

    /// `[engine.oneshot]`: capacities of oneshot (`/api/v1/process`) runs.
    public struct OneshotEngine: Sendable, Equatable {
        /// Packets a node may take from its inputs at once.
        public var packetBatchSize = 32
        /// Packets queued between nodes; nil keeps the engine's oneshot default.
        public var mediaChannelCapacity: Int?
        /// Chunks buffered between the HTTP body streams and the pipeline (default 16).
        public var ioChannelCapacity: Int?

        /// The defaults.
        public init() {}
    }

    /// `[engine.advanced]`: internal buffer sizes of codec and container nodes.
    public struct AdvancedEngine: Sendable, Equatable {
        /// Packets between a codec's async side and its blocking worker (default 32).
        public var codecChannelCapacity: Int?
        /// Packets on container demuxer streaming channels (default 8).
        public var streamChannelCapacity: Int?
        /// Demuxer read buffer in bytes (default 65536).
        public var demuxerBufferSize: Int?
        /// Messages queued per MoQ peer (default 100).
        public var moqPeerChannelCapacity: Int?

        /// The defaults.
        public init() {}
    }
}
