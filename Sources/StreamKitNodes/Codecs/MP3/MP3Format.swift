import StreamKitCore

extension FileDecoderNode.Format {
    /// `audio::mp3::decoder`: MP3 with libmpg123, gapless.
    static let mp3 = FileDecoderNode.Format(
        kind: "audio::mp3::decoder",
        description: "Decodes an MP3 stream (libmpg123, gapless) to float audio at the file's own rate and channels.",
        category: "mp3", contentType: "audio/mpeg",
        makeDecoder: { try LibMpg123Decoder() }
    )
}
