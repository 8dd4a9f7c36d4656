import StreamKitCore

/// What an Opus muxer (Ogg, WebM) makes of one binary packet on its input.
enum OpusMuxerInput {
    /// An `OpusHead`: the stream's ID header.
    case head(OpusHead)
    /// `OpusTags`: the muxers write their own, so it is passed over.
    case tags
    /// Audio: `samples` (at 48 kHz) as the packet's TOC says, of which `keptSamples` are real
    /// audio (a last packet's `duration_us` trims the encoder's padding off the end).
    case audio(samples: Int, keptSamples: Int)
    /// Not an Opus packet (its TOC does not parse): counted as errored and discarded.
    case unreadable

    /// Classifies `packet` for the muxer `kind`. An `OpusHead` that does not parse is counted and thrown.
    static func classify(_ packet: BinaryPacket, muxer kind: String, context: NodeContext) throws -> OpusMuxerInput {
        let data = packet.data
        if OpusHead.isHead(data) {
            guard case .success(let head) = OpusHead.parse(data) else {
                context.countErrored()
                throw StreamKitError.invalidData("\(kind) got an invalid OpusHead packet")
            }
            return .head(head)
        }
        if OpusHead.isTags(data) { return .tags }
        guard let samples = OpusPacketInfo.sampleCount(data) else {
            context.countErrored()
            context.countDiscarded()
            return .unreadable
        }
        var kept = samples
        if let durationUs = packet.metadata?.durationUs, durationUs > 0 {
            kept = min(samples, OpusTime.samples(microseconds: durationUs))
        }
        return .audio(samples: samples, keptSamples: kept)
    }
}
