import StreamKitCore

/// An Opus decoder and its position in the stream: pre-skip from the `OpusHead`, end trimming
/// from each packet's `duration_us`. Shared by `audio::opus::decoder` and ``OggOpusAudioDecoder``
/// (media sockets, the load tester), so Opus is decoded one way everywhere.
///
/// A class so that a blocking queue can work on it; `@unchecked Sendable` because only its owner
/// touches it, one batch at a time, on one serial queue.
final class OpusPacketDecoder: @unchecked Sendable {
    let forcedChannels: Int
    private var decoder: LibOpusDecoder?
    private var head: OpusHead?
    private var skipRemaining = 0

    init(forcedChannels: Int) {
        self.forcedChannels = forcedChannels
    }

    /// A new stream begins (an `OpusHead` arrived).
    func start(_ head: OpusHead) throws {
        if head.channels > 2 {
            throw StreamKitError.codec("multichannel Opus (\(head.channels) channels) is not supported")
        }
        self.head = head
        decoder = nil
        skipRemaining = head.preSkip
    }

    func decode(_ packets: [BinaryPacket]) -> Decoded {
        var result = Decoded()
        for packet in packets {
            do {
                if decoder == nil {
                    let channels = forcedChannels > 0 ? forcedChannels : head?.channels ?? (OpusPacketInfo.isStereo(packet.data) ? 2 : 1)
                    decoder = try LibOpusDecoder(channels: channels)
                }
                guard let decoder else { continue }
                var samples = try decoder.decode(packet.data)
                let channels = decoder.channels
                var frames = samples.count / channels
                // End trimming: the container says this packet holds fewer samples than it decodes to.
                if let durationUs = packet.metadata?.durationUs, durationUs > 0 {
                    let wanted = OpusTime.samples(microseconds: durationUs)
                    if wanted < frames {
                        samples.removeLast((frames - wanted) * channels)
                        frames = wanted
                    }
                }
                if skipRemaining > 0 {
                    let skip = min(skipRemaining, frames)
                    samples.removeFirst(skip * channels)
                    frames -= skip
                    skipRemaining -= skip
                }
                guard frames > 0 else { continue }
                var metadata = packet.metadata ?? PacketMetadata()
                metadata.durationUs = OpusTime.microseconds(samples: frames)
                result.frames.append(AudioFrame(sampleRate: 48_000, channels: channels, samples: samples, metadata: metadata))
            } catch {
                result.errors.append("\(error)")
            }
        }
        return result
    }

    struct Decoded: Sendable {
        var frames: [AudioFrame] = []
        var errors: [String] = []
    }
}
