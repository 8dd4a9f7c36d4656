import StreamKitCore

/// A compressed file's bytes in, float audio out at the file's own rate and channel count, with
/// timestamps: `audio::flac::decoder` and `audio::mp3::decoder`.
///
/// The kinds differ only in the C library that decodes (see `Format`), so one node serves both;
/// the work is `StreamingDecoderLoop`'s. Corrupt, truncated or foreign input fails the node with
/// a message saying which.
struct FileDecoderNode: Node {
    /// One file format: its kind, how it is described, and the decoder that reads it.
    struct Format: Sendable {
        var kind: String
        var description: String
        /// The format's category in the node list (`flac`, `mp3`).
        var category: String
        /// MIME type of the files it reads.
        var contentType: String
        /// A new decoder for one stream.
        var makeDecoder: @Sendable () throws -> any StreamingAudioDecoder

        /// The kind's definition: no parameters, the file's bytes on `in`, audio on `out`.
        var definition: NodeDefinition {
            NodeDefinition(
                kind: kind,
                description: description,
                categories: ["audio", "codecs", category],
                paramSchema: Schema.empty,
                inputs: FileDecoderNode.inputs,
                outputs: FileDecoderNode.outputs,
                factory: { [self] _ in FileDecoderNode(format: self) }
            )
        }
    }

    static let inputs = [InputPin(name: "in", accepts: [.binary])]
    static let outputs = [OutputPin(name: "out", produces: .anyRawAudio)]

    var format: Format

    var inputPins: [InputPin] { Self.inputs }
    var outputPins: [OutputPin] { Self.outputs }
    var contentType: String? { format.contentType }

    func run(context: NodeContext) async throws {
        try await StreamingDecoderLoop.run(kind: format.kind, context: context, decoder: try format.makeDecoder())
    }
}
