import StreamKitCore

/// `audio::mp3::decoder`: an MP3 file's bytes in, float audio out (libmpg123, gapless), at the
/// file's own rate and channel count, with timestamps. Input that is not MP3 fails the node.
struct MP3DecoderNode: Node {
    static let definition = NodeDefinition(
        kind: "audio::mp3::decoder",
        description: "Decodes an MP3 stream (libmpg123, gapless) to float audio at the file's own rate and channels.",
        categories: ["audio", "codecs", "mp3"],
        paramSchema: Schema.empty,
        inputs: [InputPin(name: "in", accepts: [.binary])],
        outputs: [OutputPin(name: "out", produces: .anyRawAudio)],
        factory: { _ in MP3DecoderNode() }
    )

    var inputPins: [InputPin] { Self.definition.inputs }
    var outputPins: [OutputPin] { Self.definition.outputs }
    var contentType: String? { "audio/mpeg" }

    func run(context: NodeContext) async throws {
        try await StreamingDecoderLoop.run(kind: Self.definition.kind, context: context, decoder: try LibMpg123Decoder())
    }
}
