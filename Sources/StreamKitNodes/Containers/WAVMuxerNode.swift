import StreamKitCore

/// `containers::wav::muxer`: writes audio frames as a streamed WAV (s16 or f32).
///
/// The header goes out before the length is known, with the "unknown length" sizes that
/// ffmpeg and other readers accept for streamed WAV. The format comes from the first frame;
/// later frames with another rate or channel count fail the node (a WAV has one format).
struct WAVMuxerNode: DefinedNode {
    static let definition = NodeDefinition.container(
        "wav", .muxer(accepts: [.anyRawAudio]),
        description: "Encodes audio frames as a streamed WAV file (16-bit PCM or 32-bit float).",
        paramSchema: Schema.object([
            ("sample_format", Schema.string("Sample encoding of the file.", default: "s16", oneOf: ["s16", "f32"])),
        ]),
        factory: { params in WAVMuxerNode(encoding: WAVWriter.OutputEncoding(rawValue: params.string("sample_format", or: "s16")) ?? .s16) }
    )

    var encoding: WAVWriter.OutputEncoding

    var contentType: String? { "audio/wav" }

    func run(context: NodeContext) async throws {
        var writer: WAVWriter?
        var format: (rate: Int, channels: Int)?
        while let packet = await context.nextPacket(refusingUpdates: "containers::wav::muxer parameters cannot be changed while it runs") {
            switch packet {
            case .audio(let frame):
                if let format, format.rate != frame.sampleRate || format.channels != frame.channels {
                    throw StreamKitError.invalidData(
                        "containers::wav::muxer: the audio format changed mid-stream from \(format.rate) Hz \(format.channels) ch to \(frame.sampleRate) Hz \(frame.channels) ch; a WAV has one format (put an audio::resampler before the muxer)"
                    )
                }
                var bytes: [UInt8] = []
                if writer == nil {
                    guard frame.sampleRate > 0, frame.channels > 0 else {
                        throw StreamKitError.invalidData("containers::wav::muxer got a frame with \(frame.sampleRate) Hz and \(frame.channels) channels")
                    }
                    let newWriter = WAVWriter(sampleRate: frame.sampleRate, channels: frame.channels, encoding: encoding)
                    writer = newWriter
                    format = (frame.sampleRate, frame.channels)
                    bytes = newWriter.header(dataByteCount: nil)
                }
                guard let writer else { continue }
                bytes += writer.encode(frame.samples)
                try await context.send(.binary(BinaryPacket(data: bytes, contentType: "audio/wav", metadata: frame.metadata)))
            default:
                context.countDiscarded()
            }
        }
    }
}
