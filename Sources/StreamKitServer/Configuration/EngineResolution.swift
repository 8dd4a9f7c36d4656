import StreamKitEngine

extension ServerConfiguration {
    /// The engine settings for dynamic sessions from `[engine]`.
    ///
    /// `node_input_capacity` resolves as: the explicit value, else the profile's value, else the engine default.
    public func engineConfiguration() -> EngineConfiguration {
        var configuration = engine.profile.flatMap { EngineConfiguration.profile($0.rawValue) } ?? EngineConfiguration()
        configuration.packetBatchSize = engine.packetBatchSize
        configuration.nodeInputCapacity = engine.nodeInputCapacity ?? engine.profile?.nodeInputCapacity ?? configuration.nodeInputCapacity
        return configuration
    }

    /// The engine settings for oneshot runs: ``engineConfiguration()`` with `[engine.oneshot]` applied
    /// (`packet_batch_size`, and `media_channel_capacity` as the per-input queue; unset keeps the engine's
    /// oneshot default).
    public func oneshotEngineConfiguration() -> EngineConfiguration {
        var configuration = engineConfiguration()
        configuration.packetBatchSize = engine.oneshot.packetBatchSize
        if let capacity = engine.oneshot.mediaChannelCapacity { configuration.oneshotInputCapacity = capacity }
        return configuration
    }
}
