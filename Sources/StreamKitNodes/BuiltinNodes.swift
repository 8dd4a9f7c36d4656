import StreamKitCore

/// The node kinds built into StreamKit.
public enum BuiltinNodes {
    /// Every built-in definition, in the order `skit nodes` lists them.
    public static var definitions: [NodeDefinition] {
        [
            PassthroughNode.definition,
            SinkNode.definition,
            FileReaderNode.definition,
            FileWriterNode.definition,
            PacerNode.definition,
            JSONSerializeNode.definition,
            TextChunkerNode.definition,
            TelemetryTapNode.definition,
            TelemetryOutNode.definition,
            GainNode.definition,
            MixerNode.definition,
            ResamplerNode.definition,
            AudioPacerNode.definition,
            ToneNode.definition,
            WAVDemuxerNode.definition,
            WAVMuxerNode.definition,
            OpusDecoderNode.definition,
            OpusEncoderNode.definition,
            OggDemuxerNode.definition,
            OggMuxerNode.definition,
            WebMMuxerNode.definition,
            FileDecoderNode.Format.flac.definition,
            FileDecoderNode.Format.mp3.definition,
            HTTPInputNode.definition,
            HTTPOutputNode.definition,
            WebSocketInputNode.definition,
            WebSocketOutputNode.definition,
        ]
    }

    /// Registers every built-in kind.
    public static func register(into registry: NodeRegistry) {
        for definition in definitions { registry.register(definition) }
    }

    /// A registry holding the built-in kinds.
    public static func makeRegistry() -> NodeRegistry {
        let registry = NodeRegistry()
        register(into: registry)
        return registry
    }
}
