import Testing

@testable import StreamKitNodes

// MARK: - Helpers for building WAV bytes by hand

/// A small deterministic PRNG so random-split and fuzz tests reproduce exactly.
struct WAVTestRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum WAVBytes {
    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    /// A chunk: id, size (default: body length), body, pad byte when the body is odd.
    static func chunk(_ id: String, _ body: [UInt8], size: UInt32? = nil, pad: Bool = true) -> [UInt8] {
        var out = Array(id.utf8) + le32(size ?? UInt32(body.count)) + body
        if pad && body.count % 2 == 1 { out.append(0) }
        return out
    }

    /// A 16-byte fmt body; blockAlign defaults to the consistent value.
    static func fmt(
        tag: UInt16 = 1, channels: UInt16 = 1, rate: UInt32 = 48_000, bits: UInt16 = 16,
        blockAlign: UInt16? = nil
    ) -> [UInt8] {
        let align = blockAlign ?? channels &* (bits / 8)
        return le16(tag) + le16(channels) + le32(rate) + le32(rate &* UInt32(align)) + le16(align) + le16(bits)
    }

    /// A 40-byte WAVE_FORMAT_EXTENSIBLE fmt body with the given sub-format Data1 (1 PCM, 3 float).
    static func extensibleFmt(sub: UInt32, channels: UInt16, rate: UInt32 = 48_000, bits: UInt16, validBits: UInt16? = nil)
        -> [UInt8]
    {
        fmt(tag: 0xFFFE, channels: channels, rate: rate, bits: bits)
            + le16(22) + le16(validBits ?? bits) + le32(0)
            + le32(sub) + [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
    }

    /// A whole file: RIFF preamble, extra chunks, fmt, data (with optional size override), trailer.
    static func file(
        fmt fmtBody: [UInt8], data: [UInt8], dataSize: UInt32? = nil,
        before: [[UInt8]] = [], between: [[UInt8]] = [], after: [UInt8] = [], riff: String = "RIFF"
    ) -> [UInt8] {
        var body = Array("WAVE".utf8)
        for c in before { body += c }
        body += chunk("fmt ", fmtBody)
        for c in between { body += c }
        body += Array("data".utf8) + le32(dataSize ?? UInt32(data.count)) + data
        body += after
        return Array(riff.utf8) + le32(UInt32(body.count)) + body
    }
}

/// Feeds `bytes` in the given pieces and returns the flattened output plus the piece sizes.
func parseWAV(_ bytes: [UInt8], splits: [Int]? = nil, maxFrames: Int = 4096) throws -> (samples: [Float], pieces: [Int], format: WAVFormat?) {
    var parser = WAVStreamParser(maxFramesPerChunk: maxFrames)
    var samples: [Float] = []
    var pieces: [Int] = []
    var start = 0
    for end in (splits ?? []) + [bytes.count] where end >= start {
        for p in try parser.feed(Array(bytes[start..<end])) {
            samples += p
            pieces.append(p.count)
        }
        start = end
    }
    for p in try parser.finish() {
        samples += p
        pieces.append(p.count)
    }
    return (samples, pieces, parser.format)
}

/// Runs `body` and returns the WAVError message it throws (nil if it didn't throw one).
func wavErrorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as WAVError {
        return error.message
    } catch {
        return "unexpected error type: \(error)"
    }
}

// MARK: - Decoding

@Suite("WAVStreamParser decoding")
struct WAVStreamParserDecodingTests {
    @Test func u8() throws {
        let bytes = WAVBytes.file(fmt: WAVBytes.fmt(bits: 8), data: [0, 128, 255, 64, 192])
        let r = try parseWAV(bytes)
        #expect(r.format == WAVFormat(sampleRate: 48_000, channels: 1, encoding: .u8))
        let expected: [Float] = [-1, 0, 127.0 / 128.0, -0.5, 0.5]
        #expect(r.samples == expected)
    }

    @Test func s16() throws {
        let values: [Int16] = [-32768, -1, 0, 1, 32767, 16384, -12345]
        let bytes = WAVBytes.file(fmt: WAVBytes.fmt(channels: 1, bits: 16), data: values.flatMap { WAVBytes.le16(UInt16(bitPattern: $0)) })
        let r = try parseWAV(bytes)
        #expect(r.format?.encoding == .s16)
        let expected: [Float] = [-1, -1.0 / 32768, 0, 1.0 / 32768, 32767.0 / 32768, 0.5, -12345.0 / 32768]
        #expect(r.samples == expected)
    }

    @Test func s24() throws {
        let values: [Int32] = [-8_388_608, -1, 0, 1, 8_388_607, 0x12_3456, -0x65_4321]
        let data = values.flatMap { Array(WAVBytes.le32(UInt32(bitPattern: $0)).prefix(3)) }
        let r = try parseWAV(WAVBytes.file(fmt: WAVBytes.fmt(bits: 24), data: data))
        #expect(r.format?.encoding == .s24)
        #expect(r.samples == values.map { Float($0) / 8_388_608 })
        #expect(r.samples[0] == -1 && r.samples[1] == -1.0 / 8_388_608)
    }

    @Test func s32() throws {
        let values: [Int32] = [.min, -1, 0, 256, 1 << 30, .max]
        let r = try parseWAV(WAVBytes.file(fmt: WAVBytes.fmt(bits: 32), data: values.flatMap { WAVBytes.le32(UInt32(bitPattern: $0)) }))
        #expect(r.format?.encoding == .s32)
        #expect(r.samples == values.map { Float($0) / 2_147_483_648 })
        #expect(r.samples[0] == -1 && r.samples[3] == 256.0 / 2_147_483_648 && r.samples[4] == 0.5)
    }

    @Test func f32PassesThroughUnclamped() throws {
        let values: [Float] = [0.5, -0.25, 1.5, -0.0, .leastNonzeroMagnitude, -1]
        let data = values.flatMap { WAVBytes.le32($0.bitPattern) }
        let r = try parseWAV(WAVBytes.file(fmt: WAVBytes.fmt(tag: 3, bits: 32), data: data))
        #expect(r.format?.encoding == .f32)
        #expect(r.samples.map(\.bitPattern) == values.map(\.bitPattern))
    }

    @Test func f64() throws {
        let values: [Double] = [0.5, -0.125, 0.1, -1]
        let r = try parseWAV(WAVBytes.file(fmt: WAVBytes.fmt(tag: 3, bits: 64), data: values.flatMap { WAVBytes.le64($0.bitPattern) }))
        #expect(r.format?.encoding == .f64)
        #expect(r.samples == values.map { Float($0) })
    }

    @Test func extensiblePCMAndFloat() throws {
        // 24-bit container with 20 valid bits: the container value is what we scale.
        let pcm = WAVBytes.extensibleFmt(sub: 1, channels: 2, bits: 24, validBits: 20)
        let r1 = try parseWAV(WAVBytes.file(fmt: pcm, data: [0x00, 0x00, 0x80, 0x00, 0x00, 0x40]))
        #expect(r1.format == WAVFormat(sampleRate: 48_000, channels: 2, encoding: .s24))
        #expect(r1.samples == [-1, 0.5])

        let float = WAVBytes.extensibleFmt(sub: 3, channels: 1, rate: 96_000, bits: 32)
        let r2 = try parseWAV(WAVBytes.file(fmt: float, data: WAVBytes.le32(Float(0.75).bitPattern)))
        #expect(r2.format == WAVFormat(sampleRate: 96_000, channels: 1, encoding: .f32))
        #expect(r2.samples == [0.75])
    }

    @Test func interleavedChannelsAndPieceSizes() throws {
        // 10 stereo frames, left = frame index, right = -frame index.
        let data = (0..<10).flatMap { i in WAVBytes.le16(UInt16(i)) + WAVBytes.le16(UInt16(bitPattern: Int16(-i))) }
        let r = try parseWAV(WAVBytes.file(fmt: WAVBytes.fmt(channels: 2, bits: 16), data: data), maxFrames: 4)
        #expect(r.pieces == [8, 8, 4])  // samples per piece: 4, 4, 2 frames × 2 channels
        let expected: [Float] = (0..<10).flatMap { (i: Int) -> [Float] in [Float(i) / 32768, Float(-i) / 32768] }
        #expect(r.samples == expected)
    }

    @Test func formatIsPublishedAtTheDataChunk() throws {
        let bytes = WAVBytes.file(fmt: WAVBytes.fmt(channels: 3, rate: 22_050, bits: 16), data: [1, 0, 2, 0, 3, 0])
        var parser = WAVStreamParser()
        #expect(try parser.feed(Array(bytes.prefix(20 + 16))).isEmpty)
        #expect(parser.format == nil)  // fmt parsed, but the header isn't complete yet
        let out = try parser.feed(Array(bytes.dropFirst(20 + 16)))
        #expect(parser.format == WAVFormat(sampleRate: 22_050, channels: 3, encoding: .s16))
        let expected: [[Float]] = [[1.0 / 32768, 2.0 / 32768, 3.0 / 32768]]
        #expect(out == expected)
        #expect(try parser.finish().isEmpty)
    }

    @Test func maxChannelsAndRate() throws {
        let r = try parseWAV(WAVBytes.file(fmt: WAVBytes.fmt(channels: 64, rate: 768_000, bits: 8), data: [UInt8](repeating: 128, count: 128)))
        #expect(r.format == WAVFormat(sampleRate: 768_000, channels: 64, encoding: .u8))
        #expect(r.samples == [Float](repeating: 0, count: 128))
    }
}

// MARK: - Stream structure

@Suite("WAVStreamParser stream structure")
struct WAVStreamParserStructureTests {
    /// A file with odd-length chunks before and between, a trailer, and s24 stereo audio.
    static func messyFile(seed: UInt64) -> [UInt8] {
        var rng = WAVTestRNG(seed: seed)
        let data = (0..<(1000 * 6)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return WAVBytes.file(
            fmt: WAVBytes.fmt(channels: 2, bits: 24), data: data,
            before: [WAVBytes.chunk("JUNK", [1, 2, 3]), WAVBytes.chunk("bext", [UInt8](repeating: 7, count: 257))],
            between: [WAVBytes.chunk("LIST", Array("INFOISFTx".utf8)), WAVBytes.chunk("fact", WAVBytes.le32(1000))],
            after: WAVBytes.chunk("LIST", [9, 9, 9, 9, 9])
        )
    }

    @Test func randomSplitsMatchOneShot() throws {
        let bytes = Self.messyFile(seed: 1)
        let reference = try parseWAV(bytes).samples
        #expect(reference.count == 2000)
        var rng = WAVTestRNG(seed: 42)
        for _ in 0..<200 {
            let cuts = (0..<Int.random(in: 1...40, using: &rng)).map { _ in Int.random(in: 0...bytes.count, using: &rng) }.sorted()
            let r = try parseWAV(bytes, splits: cuts, maxFrames: Int.random(in: 1...700, using: &rng))
            #expect(r.samples.map(\.bitPattern) == reference.map(\.bitPattern))
        }
    }

    @Test func oneByteAtATime() throws {
        let bytes = Self.messyFile(seed: 2)
        let reference = try parseWAV(bytes).samples
        let r = try parseWAV(bytes, splits: Array(0...bytes.count))
        #expect(r.samples == reference)
        #expect(r.pieces.allSatisfy { $0 <= 2 })  // never more than the one frame that just completed
    }

    @Test func oddChunkPaddingIsSkipped() throws {
        // A 3-byte chunk followed by its pad byte; if the pad were ignored the next
        // header would be misread and fmt would never be found.
        let bytes = WAVBytes.file(
            fmt: WAVBytes.fmt(bits: 16), data: WAVBytes.le16(0x4000),
            before: [WAVBytes.chunk("odd ", [1, 2, 3])], between: [WAVBytes.chunk("LIST", [4])]
        )
        #expect(try parseWAV(bytes).samples == [0.5])
    }

    @Test func oddSizedFmtChunkIsPadded() throws {
        // A 17-byte fmt chunk (16 + 1 stray byte) plus its pad byte.
        let body = WAVBytes.fmt(bits: 16) + [0xAB]
        var bytes = Array("WAVE".utf8) + WAVBytes.chunk("fmt ", body)
        bytes += Array("data".utf8) + WAVBytes.le32(2) + WAVBytes.le16(0xC000)
        bytes = Array("RIFF".utf8) + WAVBytes.le32(UInt32(bytes.count)) + bytes
        #expect(try parseWAV(bytes).samples == [-0.5])
    }

    @Test(arguments: [UInt32(0), 0xFFFF_FFFF])
    func streamingDataSizeReadsToEnd(size: UInt32) throws {
        let data = (0..<100).flatMap { WAVBytes.le16(UInt16($0)) }
        var bytes = WAVBytes.file(fmt: WAVBytes.fmt(bits: 16), data: data, dataSize: size)
        bytes.replaceSubrange(4..<8, with: WAVBytes.le32(0xFFFF_FFFF))  // pipe-style RIFF size
        let r = try parseWAV(bytes, splits: [50, 51, 77, 199])
        #expect(r.samples == (0..<100).map { Float($0) / 32768 })
    }

    @Test func trailingChunksAfterDataAreIgnored() throws {
        let bytes = WAVBytes.file(
            fmt: WAVBytes.fmt(bits: 16), data: WAVBytes.le16(1) + WAVBytes.le16(2),
            after: WAVBytes.chunk("LIST", [UInt8](repeating: 0x55, count: 33)) + [1, 2, 3]
        )
        let expected: [Float] = [1.0 / 32768, 2.0 / 32768]
        #expect(try parseWAV(bytes, splits: [45]).samples == expected)
    }

    @Test func hugeChunkIsSkippedByCountingNotBuffered() throws {
        let size = 3_000_001  // odd, so a pad byte follows
        var parser = WAVStreamParser()
        let head = Array("RIFF".utf8) + WAVBytes.le32(0xFFFF_FFFF) + Array("WAVE".utf8) + Array("LIST".utf8) + WAVBytes.le32(UInt32(size))
        #expect(try parser.feed(head).isEmpty)
        let block = [UInt8](repeating: 0x41, count: 100_000)
        var sent = 0
        while sent < size + 1 {
            let n = min(block.count, size + 1 - sent)
            #expect(try parser.feed(Array(block.prefix(n))).isEmpty)
            #expect(parser.bufferedByteCount == 0)
            sent += n
        }
        let rest = WAVBytes.chunk("fmt ", WAVBytes.fmt(bits: 16)) + Array("data".utf8) + WAVBytes.le32(2) + WAVBytes.le16(0x2000)
        let expected: [[Float]] = [[0.25]]
        #expect(try parser.feed(rest) == expected)
        #expect(try parser.finish().isEmpty)
    }

    @Test func bufferHoldsAtMostOnePartialFrame() throws {
        // 8 channels of f64 = 64-byte frames, fed 7 bytes at a time.
        let data = [UInt8](repeating: 0, count: 64 * 20)
        let bytes = WAVBytes.file(fmt: WAVBytes.fmt(tag: 3, channels: 8, bits: 64), data: data)
        var parser = WAVStreamParser()
        var i = 0
        var total = 0
        while i < bytes.count {
            let end = min(i + 7, bytes.count)
            total += try parser.feed(Array(bytes[i..<end])).reduce(0) { $0 + $1.count }
            #expect(parser.bufferedByteCount < 64)
            i = end
        }
        #expect(total == 8 * 20)
        #expect(try parser.finish().isEmpty)
    }

    @Test func rf64WithDs64() throws {
        let audio = WAVBytes.le16(0x4000) + WAVBytes.le16(0xC000)
        let ds64 = WAVBytes.le64(0) + WAVBytes.le64(UInt64(audio.count)) + WAVBytes.le64(2) + WAVBytes.le32(0)
        var bytes = WAVBytes.file(
            fmt: WAVBytes.fmt(bits: 16), data: audio, dataSize: 0xFFFF_FFFF,
            before: [WAVBytes.chunk("ds64", ds64)], after: [0xDE, 0xAD, 0xBE, 0xEF], riff: "RF64"
        )
        bytes.replaceSubrange(4..<8, with: WAVBytes.le32(0xFFFF_FFFF))
        // The trailing bytes are beyond the ds64 data size, so they must not become audio.
        #expect(try parseWAV(bytes, splits: [13, 30]).samples == [0.5, -0.5])
    }

    @Test func rf64WithoutKnownSizeReadsToEnd() throws {
        let ds64 = WAVBytes.le64(0) + WAVBytes.le64(0) + WAVBytes.le64(0) + WAVBytes.le32(0)
        let bytes = WAVBytes.file(
            fmt: WAVBytes.fmt(bits: 16), data: WAVBytes.le16(0x4000) + WAVBytes.le16(0x2000), dataSize: 0xFFFF_FFFF,
            before: [WAVBytes.chunk("ds64", ds64)], riff: "RF64"
        )
        #expect(try parseWAV(bytes).samples == [0.5, 0.25])
    }

    @Test func s16RoundTripThroughWriterIsBitExact() throws {
        let all = (0...65535).map { UInt16($0) }
        let data = all.flatMap { WAVBytes.le16($0) }
        let r = try parseWAV(WAVBytes.file(fmt: WAVBytes.fmt(bits: 16), data: data))
        #expect(r.samples.count == 65536)
        let written = WAVWriter(sampleRate: 48_000, channels: 1, encoding: .s16).encode(r.samples)
        #expect(written == data)
    }
}

// MARK: - Errors

@Suite("WAVStreamParser errors")
struct WAVStreamParserErrorTests {
    static let goodFmt = WAVBytes.fmt(channels: 2, bits: 16)

    func message(for bytes: [UInt8]) -> String? {
        wavErrorMessage { _ = try parseWAV(bytes) }
    }

    @Test func notRIFF() {
        let m = message(for: Array("OggS".utf8) + [UInt8](repeating: 0, count: 40))
        #expect(m == "not a WAV stream: expected 'RIFF' at byte 0, got 'OggS'")
        let binary = message(for: [0xFF, 0xFB, 0x90, 0x00] + [UInt8](repeating: 0, count: 40))
        #expect(binary == "not a WAV stream: expected 'RIFF' at byte 0, got 0xFF 0xFB 0x90 0x00")
    }

    @Test func notWAVE() {
        var bytes = WAVBytes.file(fmt: Self.goodFmt, data: [])
        bytes.replaceSubrange(8..<12, with: Array("AVI ".utf8))
        #expect(message(for: bytes) == "not a WAV stream: expected 'WAVE' at byte 8, got 'AVI '")
    }

    @Test func bigEndianRIFX() {
        var bytes = WAVBytes.file(fmt: Self.goodFmt, data: [])
        bytes.replaceSubrange(0..<4, with: Array("RIFX".utf8))
        #expect(message(for: bytes)?.contains("RIFX") == true)
    }

    @Test func dataBeforeFmt() {
        let bytes = Array("RIFF".utf8) + WAVBytes.le32(100) + Array("WAVE".utf8) + WAVBytes.chunk("data", [0, 0, 0, 0])
        #expect(message(for: bytes) == "WAV data chunk found before the fmt chunk")
    }

    @Test func unsupportedFormatCode() {
        let m = message(for: WAVBytes.file(fmt: WAVBytes.fmt(tag: 0x55, channels: 2, bits: 16), data: []))
        #expect(m?.hasPrefix("unsupported WAV format code 0x0055 (MPEG Layer 3)") == true)
        let m2 = message(for: WAVBytes.file(fmt: WAVBytes.fmt(tag: 0x1234, bits: 16), data: []))
        #expect(m2?.hasPrefix("unsupported WAV format code 0x1234;") == true)
    }

    @Test func unsupportedExtensibleSubFormat() {
        var body = WAVBytes.extensibleFmt(sub: 0x55, channels: 1, bits: 16)
        #expect(message(for: WAVBytes.file(fmt: body, data: []))?.contains("{00000055-0000-0010-8000-00AA00389B71}") == true)
        body = Array(body.prefix(18))  // cbSize present but no extension
        #expect(message(for: WAVBytes.file(fmt: body, data: [])) == "WAV fmt chunk too short for WAVE_FORMAT_EXTENSIBLE: 18 bytes, need 40")
    }

    @Test func zeroChannels() {
        let m = message(for: WAVBytes.file(fmt: WAVBytes.fmt(channels: 0, bits: 16, blockAlign: 0), data: []))
        #expect(m == "WAV fmt chunk declares 0 channels")
    }

    @Test func tooManyChannels() {
        let m = message(for: WAVBytes.file(fmt: WAVBytes.fmt(channels: 65, bits: 16), data: []))
        #expect(m == "WAV fmt chunk declares 65 channels; at most 64 are supported")
    }

    @Test func zeroSampleRate() {
        #expect(message(for: WAVBytes.file(fmt: WAVBytes.fmt(rate: 0), data: [])) == "WAV fmt chunk declares sample rate 0")
        #expect(message(for: WAVBytes.file(fmt: WAVBytes.fmt(rate: 768_001), data: []))?.contains("768001") == true)
    }

    @Test func unsupportedBitsPerSample() {
        #expect(message(for: WAVBytes.file(fmt: WAVBytes.fmt(bits: 12, blockAlign: 2), data: []))
            == "unsupported WAV bits per sample 12; expected 8, 16, 24 or 32 for PCM")
        #expect(message(for: WAVBytes.file(fmt: WAVBytes.fmt(tag: 3, bits: 16), data: []))
            == "unsupported WAV bits per sample 16; expected 32 or 64 for float")
    }

    @Test func blockAlignMismatch() {
        let m = message(for: WAVBytes.file(fmt: WAVBytes.fmt(channels: 2, bits: 16, blockAlign: 2), data: []))
        #expect(m == "WAV fmt chunk declares block align 2, but 2 channels × 2 bytes per sample = 4")
    }

    @Test func fmtTooShort() {
        let m = message(for: WAVBytes.file(fmt: Array(Self.goodFmt.prefix(14)), data: []))
        #expect(m == "WAV fmt chunk too short: 14 bytes, need at least 16")
    }

    @Test func fmtAbsurdlyLarge() {
        // Only the header is sent: the size alone must be rejected before buffering anything.
        let bytes = Array("RIFF".utf8) + WAVBytes.le32(0xFFFF_FFFF) + Array("WAVE".utf8) + Array("fmt ".utf8) + WAVBytes.le32(5000)
        var parser = WAVStreamParser()
        let m = wavErrorMessage { _ = try parser.feed(bytes) }
        #expect(m == "WAV fmt chunk size 5000 is implausible (more than 1024 bytes)")
    }

    @Test func endedBeforeDataChunk() {
        let bytes = WAVBytes.file(fmt: Self.goodFmt, data: [])
        #expect(message(for: Array(bytes.prefix(20))) == "WAV stream ended after 20 bytes, before the data chunk")
        #expect(message(for: []) == "WAV stream ended after 0 bytes, before the data chunk")
    }

    @Test func dataTruncated() {
        let bytes = WAVBytes.file(fmt: Self.goodFmt, data: [UInt8](repeating: 0, count: 40), dataSize: 100)
        #expect(message(for: bytes) == "WAV data chunk declares 100 bytes but the stream ended after 40")
    }

    @Test func partialFrameAtEnd() {
        let bytes = WAVBytes.file(fmt: Self.goodFmt, data: [1, 2, 3, 4, 5, 6], dataSize: 0xFFFF_FFFF)
        #expect(message(for: bytes) == "WAV stream ended with a partial sample frame: 2 of 4 bytes")
        // Declared size not a multiple of the frame size: same complaint.
        let declared = WAVBytes.file(fmt: Self.goodFmt, data: [1, 2, 3, 4, 5], after: [0])
        #expect(message(for: declared) == "WAV stream ended with a partial sample frame: 1 of 4 bytes")
    }

    @Test func errorsAreSticky() {
        var parser = WAVStreamParser()
        let first = wavErrorMessage { _ = try parser.feed(Array("JUNKJUNKJUNK".utf8)) }
        #expect(first?.hasPrefix("not a WAV stream") == true)
        #expect(wavErrorMessage { _ = try parser.feed(Array(WAVBytes.file(fmt: Self.goodFmt, data: []))) } == first)
        #expect(wavErrorMessage { _ = try parser.finish() } == first)
    }

    @Test func feedAfterFinishThrows() throws {
        var parser = WAVStreamParser()
        _ = try parser.feed(WAVBytes.file(fmt: Self.goodFmt, data: [0, 0, 0, 0]))
        _ = try parser.finish()
        #expect(wavErrorMessage { _ = try parser.feed([0]) } != nil)
    }

    @Test func fuzzMutatedAndTruncatedHeadersNeverCrash() {
        let seeds: [[UInt8]] = [
            WAVBytes.file(fmt: Self.goodFmt, data: [UInt8](repeating: 1, count: 64)),
            WAVStreamParserStructureTests.messyFile(seed: 3).prefix(400).map { $0 },
            WAVBytes.file(fmt: WAVBytes.extensibleFmt(sub: 3, channels: 2, bits: 32), data: [UInt8](repeating: 0, count: 64)),
            WAVBytes.file(
                fmt: WAVBytes.fmt(bits: 24), data: [UInt8](repeating: 9, count: 30), dataSize: 0xFFFF_FFFF,
                before: [WAVBytes.chunk("ds64", [UInt8](repeating: 0, count: 28))], riff: "RF64"
            ),
        ]
        var rng = WAVTestRNG(seed: 7)
        var outcomes = (returned: 0, threw: 0)
        for iteration in 0..<2000 {
            var bytes = seeds[iteration % seeds.count]
            // Mutate: overwrite random bytes, biased towards the header where the sizes live.
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let limit = min(bytes.count, Bool.random(using: &rng) ? 80 : bytes.count)
                let index = Int.random(in: 0..<limit, using: &rng)
                bytes[index] = [0x00, 0xFF, 0x7F, 0x80, UInt8.random(in: 0...255, using: &rng)].randomElement(using: &rng) ?? 0
            }
            if Bool.random(using: &rng) { bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng))) }
            let cuts = (0..<Int.random(in: 0...5, using: &rng)).map { _ in Int.random(in: 0...bytes.count, using: &rng) }.sorted()
            do {
                let r = try parseWAV(bytes, splits: cuts, maxFrames: Int.random(in: 1...64, using: &rng))
                if let format = r.format {
                    #expect(r.samples.count % format.channels == 0)
                }
                outcomes.returned += 1
            } catch is WAVError {
                outcomes.threw += 1
            } catch {
                Issue.record("unexpected error type \(error) at iteration \(iteration)")
            }
        }
        // Both paths must have been exercised for the test to mean anything.
        #expect(outcomes.returned > 100 && outcomes.threw > 100)
    }
}
