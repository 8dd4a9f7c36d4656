import StreamKitCore

/// `audio::flac::decoder`: a FLAC file's bytes in, float audio out (libFLAC), at the file's
/// own rate and channel count, with timestamps. Corrupt, truncated or non-FLAC input fails
/// the node with a message saying which.
struct FLACDecoderNode: Node {
    static let definition = NodeDefinition(
        kind: "audio::flac::decoder",
        description: "Decodes a FLAC stream (libFLAC) to float audio at the file's own rate and channels.",
        categories: ["audio", "codecs", "flac"],
        paramSchema: Schema.empty,
        inputs: [InputPin(name: "in", accepts: [.binary])],
        outputs: [OutputPin(name: "out", produces: .anyRawAudio)],
        factory: { _ in FLACDecoderNode() }
    )

    var inputPins: [InputPin] { Self.definition.inputs }
    var outputPins: [OutputPin] { Self.definition.outputs }
    var contentType: String? { "audio/flac" }

    func run(context: NodeContext) async throws {
        try await StreamingDecoderLoop.run(kind: Self.definition.kind, context: context, decoder: try LibFLACDecoder())
    }
}
