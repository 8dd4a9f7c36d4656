import StreamKitCore

/// Ogg Opus bytes in, 48 kHz float audio out, for callers outside a pipeline: the media sockets
/// of `transport::websocket::input` and the load tester. It is the pipeline's own code
/// (``OggOpusDemuxer`` then ``OpusPacketDecoder``, as in `containers::ogg::demuxer` →
/// `audio::opus::decoder`), with one difference: a live stream has no second chance, so the
/// first sign of damage (bytes that are not Ogg, a bad checksum, a lost page, a stream that is
/// not Opus, a packet that does not decode) throws instead of being skipped and counted.
///
/// Bytes may arrive in any pieces: a page split over several calls or several pages in one.
/// `@unchecked Sendable`: one owner feeds it, one call at a time, on one serial queue.
public final class OggOpusAudioDecoder: @unchecked Sendable {
    private var demuxer = OggOpusDemuxer()
    private let decoder = OpusPacketDecoder(forcedChannels: 0)

    public init() {}

    /// Feeds the next bytes of the stream; returns the audio they complete.
    public func feed(_ bytes: [UInt8]) throws(StreamKitError) -> [AudioFrame] {
        let outputs = try demuxer.feed(bytes)
        if demuxer.skippedBytes > 0 {
            if !demuxer.foundPage {
                throw .invalidData("not an Ogg stream: the data does not start with an Ogg page ('OggS' capture pattern)")
            }
            if demuxer.corruptPages > 0 {
                throw .invalidData("corrupt Ogg page: checksum mismatch (\(demuxer.corruptPages) page(s))")
            }
            throw .invalidData("\(demuxer.skippedBytes) byte(s) between Ogg pages are not part of any page")
        }
        if demuxer.lostPackets > 0 {
            throw .invalidData("Ogg page sequence broken: \(demuxer.lostPackets) packet(s) lost")
        }
        if demuxer.foundPage && demuxer.opusStreams == 0 {
            throw .invalidData("the Ogg stream is not Opus: its first page does not start with an OpusHead packet")
        }
        var frames: [AudioFrame] = []
        var packets: [BinaryPacket] = []
        for output in outputs {
            if OpusHead.isHead(output.data) && output.metadata == nil {
                frames += try decode(packets)
                packets = []
                switch OpusHead.parse(output.data) {
                case .success(let head):
                    do { try decoder.start(head) } catch { throw .invalidData("\(error)") }
                case .failure(let error):
                    throw .invalidData("invalid OpusHead: \(error)")
                }
            } else {
                packets.append(BinaryPacket(data: output.data, metadata: output.metadata))
            }
        }
        frames += try decode(packets)
        return frames
    }

    private func decode(_ packets: [BinaryPacket]) throws(StreamKitError) -> [AudioFrame] {
        guard !packets.isEmpty else { return [] }
        let decoded = decoder.decode(packets)
        if let error = decoded.errors.first {
            throw .invalidData("an Opus packet does not decode: \(error)")
        }
        return decoded.frames
    }
}
