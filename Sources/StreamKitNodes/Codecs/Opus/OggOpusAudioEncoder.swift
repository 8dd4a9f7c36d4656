import StreamKitCore

/// Float audio in, an Ogg Opus stream (RFC 7845) out, for callers outside a pipeline (the load
/// tester, tests): ``OpusStreamEncoder`` (the `audio::opus::encoder` code, with resampling for
/// rates Opus does not take) and ``OggOpusPager`` (the `containers::ogg::muxer` page layout).
/// The first bytes returned are the two header pages; every packet then goes on a page of its
/// own, so a live receiver can decode each page as soon as it arrives.
///
/// `@unchecked Sendable`: one owner, one call at a time (it does codec work: call it off the
/// cooperative pool when it encodes much).
public final class OggOpusAudioEncoder: @unchecked Sendable {
    private let encoder: OpusStreamEncoder
    private var pager: OggOpusPager
    private var started = false

    /// - Parameters: the input's rate and channel count (interleaved samples), Opus bitrate, frame length.
    public init(sampleRate: Int, channels: Int, bitrate: Int = 64_000, frameDurationMs: Double = 20, serial: UInt32 = .random(in: 1...UInt32.max)) throws {
        encoder = try OpusStreamEncoder(sampleRate: sampleRate, channels: channels, bitrate: bitrate, frameDurationMs: frameDurationMs)
        pager = OggOpusPager(serial: serial)
    }

    /// Encodes interleaved samples; returns the Ogg bytes they complete (headers first).
    public func encode(_ samples: [Float]) throws -> [UInt8] {
        pages(try encoder.encode(samples), endOfStream: false)
    }

    /// Ends the stream: the padded last frame and the end-of-stream page.
    public func finish() throws -> [UInt8] {
        pages(try encoder.finish(), endOfStream: true)
    }

    private func pages(_ packets: [BinaryPacket], endOfStream: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        if !started {
            bytes += pager.headers(encoder.head)
            started = true
        }
        bytes += pager.pages(packets, endOfStream: endOfStream)
        return bytes
    }
}
