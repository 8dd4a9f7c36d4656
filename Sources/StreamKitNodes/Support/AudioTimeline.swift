import StreamKitCore

/// Timestamps for the audio a node makes from a stream (a decoder, a demuxer): each frame starts
/// where the previous one ended, counted in samples so that rounding never accumulates, and
/// frames are numbered from 0.
struct AudioTimeline {
    private var sentFrames: UInt64 = 0
    private var sequence: UInt64 = 0

    /// The metadata of the next frame of `frameCount` samples per channel at `sampleRate`
    /// (which must be above 0), and advances past it.
    mutating func stamp(frameCount: Int, sampleRate: Int) -> PacketMetadata {
        let count = UInt64(frameCount)
        let rate = UInt64(sampleRate)
        defer {
            sentFrames += count
            sequence += 1
        }
        return PacketMetadata(timestampUs: sentFrames * 1_000_000 / rate, durationUs: count * 1_000_000 / rate, sequence: sequence)
    }
}
