import StreamKitCore

/// What an Opus muxer (Ogg, WebM) acts on: the stream's ID header, or an audio packet.
enum OpusMuxerInput {
    /// An `OpusHead`: the stream's ID header.
    case head(OpusHead)
    /// An audio packet.
    case audio(OpusMuxerPacket)
}

/// An Opus audio packet as a muxer writes it.
struct OpusMuxerPacket {
    var data: [UInt8]
    /// Samples (at 48 kHz) the packet decodes to, as its TOC says.
    var samples: Int
    /// Of those, the samples that are real audio: a last packet's `duration_us` trims the
    /// encoder's padding off the end.
    var keptSamples: Int
    var metadata: PacketMetadata?
}

extension NodeContext {
    /// The next input of the Opus muxer `kind`. Passed over on the way: `OpusTags` (the muxers
    /// write their own), packets whose TOC does not parse (counted as errored and discarded),
    /// packets that are not binary (discarded), and parameter updates (refused: a muxer's
    /// parameters are fixed). An `OpusHead` that does not parse is counted and thrown.
    /// Nil when every input has ended or the node must stop.
    func nextOpusMuxerInput(muxer kind: String) async throws -> OpusMuxerInput? {
        while let packet = await nextPacket(refusingUpdates: "\(kind) parameters cannot be changed while it runs") {
            guard case .binary(let binary) = packet else {
                countDiscarded()
                continue
            }
            let data = binary.data
            if OpusHead.isHead(data) {
                guard case .success(let head) = OpusHead.parse(data) else {
                    countErrored()
                    throw StreamKitError.invalidData("\(kind) got an invalid OpusHead packet")
                }
                return .head(head)
            }
            if OpusHead.isTags(data) { continue }
            guard let samples = OpusPacketInfo.sampleCount(data) else {
                countErrored()
                countDiscarded()
                continue
            }
            var kept = samples
            if let durationUs = binary.metadata?.durationUs, durationUs > 0 {
                kept = min(samples, OpusTime.samples(microseconds: durationUs))
            }
            return .audio(OpusMuxerPacket(data: data, samples: samples, keptSamples: kept, metadata: binary.metadata))
        }
        return nil
    }
}
