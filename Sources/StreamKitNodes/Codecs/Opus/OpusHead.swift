/// The Opus identification header (`OpusHead`, RFC 7845 §5.1), parsed and written in Swift.
///
/// Inside a pipeline an Opus stream carries its `OpusHead` in-band as the first binary packet:
/// the Ogg demuxer forwards the file's header and the Opus encoder makes one. Decoders learn the
/// channel count and pre-skip from it, and muxers write the real pre-skip instead of a guess.
/// (The original dropped the header and so wrote pre-skip 0 and decoded everything as mono.)
struct OpusHead: Equatable, Sendable {
    static let magic: [UInt8] = Array("OpusHead".utf8)

    /// Output channel count (1…255).
    var channels: Int
    /// Samples (at 48 kHz) to discard from the start of the decoded stream.
    var preSkip: Int
    /// The rate of the audio before encoding (informational; Opus always decodes at 48 kHz here).
    var inputSampleRate: Int
    /// Output gain in Q7.8 dB.
    var outputGain: Int16 = 0
    /// 0: mono/stereo, no mapping table. Other families carry a stream/coupling table.
    var mappingFamily: Int = 0

    /// Whether `bytes` starts like an `OpusHead` packet.
    static func isHead(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 8 && bytes[0..<8].elementsEqual(magic)
    }

    /// Whether `bytes` starts like an `OpusTags` packet.
    static func isTags(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 8 && bytes[0..<8].elementsEqual("OpusTags".utf8)
    }

    init(channels: Int, preSkip: Int, inputSampleRate: Int, outputGain: Int16 = 0, mappingFamily: Int = 0) {
        self.channels = channels
        self.preSkip = preSkip
        self.inputSampleRate = inputSampleRate
        self.outputGain = outputGain
        self.mappingFamily = mappingFamily
    }

    /// Parses an `OpusHead` packet; nil (with a reason) when it is not a valid version-1 header.
    static func parse(_ bytes: [UInt8]) -> Result<OpusHead, OpusHeadError> {
        guard isHead(bytes) else { return .failure(OpusHeadError("not an OpusHead packet")) }
        guard bytes.count >= 19 else { return .failure(OpusHeadError("OpusHead is \(bytes.count) bytes, shorter than the 19 it must have")) }
        // RFC 7845: the upper four bits are the major version; only major version 0 is defined.
        guard bytes[8] & 0xF0 == 0 else { return .failure(OpusHeadError("unsupported OpusHead version \(bytes[8])")) }
        let channels = Int(bytes[9])
        guard channels >= 1 else { return .failure(OpusHeadError("OpusHead declares 0 channels")) }
        let preSkip = Int(bytes[10]) | Int(bytes[11]) << 8
        let rate = Int(bytes[12]) | Int(bytes[13]) << 8 | Int(bytes[14]) << 16 | Int(bytes[15]) << 24
        let gain = Int16(bitPattern: UInt16(bytes[16]) | UInt16(bytes[17]) << 8)
        let family = Int(bytes[18])
        if family == 0 && channels > 2 {
            return .failure(OpusHeadError("OpusHead mapping family 0 allows 1 or 2 channels, not \(channels)"))
        }
        return .success(OpusHead(channels: channels, preSkip: preSkip, inputSampleRate: rate, outputGain: gain, mappingFamily: family))
    }

    /// The 19-byte header of mapping family 0 (mono or stereo).
    var bytes: [UInt8] {
        var out = Self.magic
        out.append(1)  // version
        out.append(UInt8(truncatingIfNeeded: channels))
        out.append(UInt8(truncatingIfNeeded: preSkip))
        out.append(UInt8(truncatingIfNeeded: preSkip >> 8))
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: inputSampleRate >> shift)) }
        let gain = UInt16(bitPattern: outputGain)
        out.append(UInt8(truncatingIfNeeded: gain))
        out.append(UInt8(truncatingIfNeeded: gain >> 8))
        out.append(0)  // mapping family 0
        return out
    }

    /// An `OpusTags` packet with a vendor string and no user comments.
    static func tags(vendor: String) -> [UInt8] {
        let vendorBytes = Array(vendor.utf8)
        var out = Array("OpusTags".utf8)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: vendorBytes.count >> shift)) }
        out += vendorBytes
        out += [0, 0, 0, 0]  // no user comments
        return out
    }
}

struct OpusHeadError: Error, Sendable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// What the first byte of an Opus packet (its TOC, RFC 6716 §3.1) says, read without libopus so
/// that containers can compute durations and granule positions on their own.
enum OpusPacketInfo {
    /// Samples per frame at 48 kHz for each of the 32 configurations.
    private static let frameSamples: [Int] = [
        480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880,  // SILK NB/MB/WB
        480, 960, 480, 960,  // hybrid SWB/FB
        120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960,  // CELT
    ]

    /// Samples per channel (at 48 kHz) the packet decodes to, or nil for a malformed packet.
    static func sampleCount(_ packet: [UInt8]) -> Int? {
        guard let toc = packet.first else { return nil }
        let perFrame = frameSamples[Int(toc >> 3)]
        let frames: Int
        switch toc & 0x3 {
        case 0: frames = 1
        case 1, 2: frames = 2
        default:
            guard packet.count >= 2 else { return nil }
            frames = Int(packet[1] & 0x3F)
        }
        let total = perFrame * frames
        // RFC 6716: a packet holds at most 120 ms.
        guard frames > 0, total <= 5760 else { return nil }
        return total
    }

    /// Whether the packet's TOC marks it as stereo.
    static func isStereo(_ packet: [UInt8]) -> Bool {
        guard let toc = packet.first else { return false }
        return toc & 0x4 != 0
    }
}

/// Conversions between sample counts at 48 kHz and microseconds in packet metadata.
///
/// One sample at 48 kHz lasts 20.8 µs, so rounding to the nearest microsecond and back gives
/// the exact sample count: that is how a trimmed last packet's length travels between nodes.
enum OpusTime {
    static func microseconds(samples: Int) -> UInt64 {
        UInt64(max(0, samples)) * 1_000_000 / 48_000
    }

    static func samples(microseconds: UInt64) -> Int {
        Int((microseconds * 48_000 + 500_000) / 1_000_000)
    }
}
