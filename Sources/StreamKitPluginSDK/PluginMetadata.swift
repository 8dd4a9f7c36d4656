/// A sample format of an audio pin (frames crossing the ABI are always f32).
public enum PluginSampleFormat: Int32, Sendable {
    case f32 = 0
    case s16le = 1
}

/// The packet type a pin accepts or produces.
public enum PluginPacketType: Sendable, Equatable {
    /// Raw interleaved audio; 0 for `sampleRate` or `channels` means "any".
    case rawAudio(sampleRate: UInt32 = 0, channels: UInt16 = 0, format: PluginSampleFormat = .f32)
    case text
    case transcription
    case custom(typeID: String)
    case binary
    case any
}

/// An input pin.
public struct PluginInput: Sendable {
    public var name: String
    public var accepts: [PluginPacketType]
    public init(_ name: String, accepts: [PluginPacketType]) {
        self.name = name
        self.accepts = accepts
    }
}

/// An output pin.
public struct PluginOutputPin: Sendable {
    public var name: String
    public var produces: PluginPacketType
    public init(_ name: String, produces: PluginPacketType) {
        self.name = name
        self.produces = produces
    }
}

/// What a plugin tells the host about its node.
public struct PluginMetadata: Sendable {
    /// The plugin's own kind (lowercase letters, digits, `_`, `-`); the host registers it as
    /// `plugin::native::<kind>`.
    public var kind: String
    public var description: String?
    public var inputs: [PluginInput]
    public var outputs: [PluginOutputPin]
    /// A JSON Schema of the parameters, as JSON text.
    public var paramSchema: String
    public var categories: [String]

    public init(
        kind: String, description: String? = nil, inputs: [PluginInput], outputs: [PluginOutputPin],
        paramSchema: String = "{}", categories: [String] = []
    ) {
        self.kind = kind
        self.description = description
        self.inputs = inputs
        self.outputs = outputs
        self.paramSchema = paramSchema
        self.categories = categories
    }
}
