/// A packet as a Swift plugin sees it.
public enum PluginPacket: Sendable, Equatable {
    case audio(PluginAudioFrame)
    case text(String)
    /// `TranscriptionData` JSON (`{"text": …, "segments": […], "language": …}`).
    case transcription(json: String)
    /// A typed JSON payload, e.g. `plugin::native::vad/vad-event@1`.
    case custom(typeID: String, json: String)
    case binary([UInt8])
}

/// Interleaved f32 audio.
public struct PluginAudioFrame: Sendable, Equatable {
    public var sampleRate: Int
    public var channels: Int
    public var samples: [Float]

    public init(sampleRate: Int, channels: Int, samples: [Float]) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.samples = samples
    }
}
