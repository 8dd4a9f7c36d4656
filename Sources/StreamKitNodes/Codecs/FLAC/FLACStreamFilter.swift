import StreamKitCore

/// Reads the start of a FLAC stream in Swift: skips an ID3v2 tag, checks the `fLaC` marker,
/// keeps STREAMINFO and drops every other metadata block as it streams past (pictures can be
/// megabytes, and holding them is not needed to decode). What comes out is a minimal FLAC
/// stream — marker, STREAMINFO, frames — for libFLAC.
struct FLACStreamFilter {
    struct StreamInfo: Sendable {
        var minBlockSize: Int
        var maxBlockSize: Int
        var maxFrameSize: Int
        var sampleRate: Int
        var channels: Int
        var bitsPerSample: Int
        var totalSamples: UInt64

        /// An upper bound on the bytes of one frame: the declared maximum, else a verbatim
        /// frame of the largest block (side channels carry one bit more) plus headers.
        var frameSizeBound: Int {
            if maxFrameSize > 0 { return maxFrameSize + 64 }
            return max(maxBlockSize, 4608) * channels * (bitsPerSample + 1) / 8 + 1024
        }
    }

    private enum Stage {
        case marker
        case id3(remaining: Int)
        case blockHeader
        case streamInfo(last: Bool)
        case skipBlock(remaining: Int, last: Bool)
        case audio
    }

    private var stage = Stage.marker
    private var held: [UInt8] = []
    private(set) var streamInfo: StreamInfo?
    private var sawBlock = false

    /// Takes bytes; returns those to hand to libFLAC.
    mutating func feed(_ bytes: [UInt8]) throws(StreamKitError) -> [UInt8] {
        if case .audio = stage { return bytes }
        var out: [UInt8] = []
        var input = bytes[...]
        while !input.isEmpty {
            switch stage {
            case .audio:
                out += input
                input = []
            case .id3(let remaining):
                let take = min(remaining, input.count)
                input = input.dropFirst(take)
                stage = remaining - take == 0 ? .marker : .id3(remaining: remaining - take)
            case .skipBlock(let remaining, let last):
                let take = min(remaining, input.count)
                input = input.dropFirst(take)
                if remaining - take == 0 { stage = last ? .audio : .blockHeader } else { stage = .skipBlock(remaining: remaining - take, last: last) }
            case .marker:
                guard take(into: &held, from: &input, upTo: 10) else { continue }
                if held.starts(with: Array("ID3".utf8)) {
                    // ID3v2: a 10-byte header whose size is four 7-bit bytes.
                    let size = held[6..<10].reduce(0) { ($0 << 7) | Int($1 & 0x7F) }
                    let footer = held[5] & 0x10 != 0 ? 10 : 0
                    held = []
                    stage = .id3(remaining: size + footer)
                    continue
                }
                guard held.starts(with: Array("fLaC".utf8)) else {
                    throw .invalidData("not a FLAC stream (no fLaC marker)")
                }
                // The marker is 4 bytes; the 6 after it begin the first block header.
                let rest = Array(held[4...])
                held = []
                stage = .blockHeader
                input = ArraySlice(rest + input)
            case .blockHeader:
                guard take(into: &held, from: &input, upTo: 4) else { continue }
                let last = held[0] & 0x80 != 0
                let type = Int(held[0] & 0x7F)
                let length = Int(held[1]) << 16 | Int(held[2]) << 8 | Int(held[3])
                held = []
                if !sawBlock {
                    guard type == 0, length == 34 else { throw .invalidData("the FLAC stream does not start with a STREAMINFO block") }
                    sawBlock = true
                    stage = .streamInfo(last: last)
                } else {
                    guard type != 127 else { throw .invalidData("invalid FLAC metadata block type 127") }
                    if type == 0 { throw .invalidData("the FLAC stream has a second STREAMINFO block") }
                    stage = length == 0 ? (last ? .audio : .blockHeader) : .skipBlock(remaining: length, last: last)
                }
            case .streamInfo(let last):
                guard take(into: &held, from: &input, upTo: 34) else { continue }
                let info = try Self.parseStreamInfo(held)
                streamInfo = info
                out += Array("fLaC".utf8) + [0x80, 0, 0, 34] + held
                held = []
                stage = last ? .audio : .blockHeader
            }
        }
        return out
    }

    /// Whether the metadata has been read (STREAMINFO known, frames follow).
    var inAudio: Bool {
        if case .audio = stage { return true }
        return false
    }

    /// Moves bytes from `input` to `held` until it has `count`; true when it has.
    private func take(into held: inout [UInt8], from input: inout ArraySlice<UInt8>, upTo count: Int) -> Bool {
        let needed = count - held.count
        let moved = input.prefix(needed)
        held += moved
        input = input.dropFirst(moved.count)
        return held.count == count
    }

    private static func parseStreamInfo(_ bytes: [UInt8]) throws(StreamKitError) -> StreamInfo {
        let minBlock = Int(bytes[0]) << 8 | Int(bytes[1])
        let maxBlock = Int(bytes[2]) << 8 | Int(bytes[3])
        let maxFrame = Int(bytes[7]) << 16 | Int(bytes[8]) << 8 | Int(bytes[9])
        let rate = Int(bytes[10]) << 12 | Int(bytes[11]) << 4 | Int(bytes[12]) >> 4
        let channels = Int((bytes[12] >> 1) & 0x7) + 1
        let bits = Int((bytes[12] & 0x1) << 4 | bytes[13] >> 4) + 1
        var total = UInt64(bytes[13] & 0x0F)
        for index in 14..<18 { total = total << 8 | UInt64(bytes[index]) }
        guard rate > 0 else { throw .invalidData("FLAC STREAMINFO declares a sample rate of 0") }
        guard minBlock >= 16, maxBlock >= minBlock else {
            throw .invalidData("FLAC STREAMINFO declares block sizes \(minBlock)…\(maxBlock)")
        }
        guard bits >= 4 else { throw .invalidData("FLAC STREAMINFO declares \(bits) bits per sample") }
        return StreamInfo(minBlockSize: minBlock, maxBlockSize: maxBlock, maxFrameSize: maxFrame, sampleRate: rate,
                          channels: channels, bitsPerSample: bits, totalSamples: total)
    }
}
