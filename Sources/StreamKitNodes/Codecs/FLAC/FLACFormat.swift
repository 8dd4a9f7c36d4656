import StreamKitCore

extension FileDecoderNode.Format {
    /// `audio::flac::decoder`: FLAC with libFLAC.
    static let flac = FileDecoderNode.Format(
        kind: "audio::flac::decoder",
        description: "Decodes a FLAC stream (libFLAC) to float audio at the file's own rate and channels.",
        category: "flac", contentType: "audio/flac",
        makeDecoder: { try LibFLACDecoder() }
    )
}
