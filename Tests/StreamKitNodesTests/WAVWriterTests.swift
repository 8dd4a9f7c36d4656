import Testing

@testable import StreamKitNodes

@Suite("WAVWriter")
struct WAVWriterTests {
    @Test func s16HeaderWithKnownLength() {
        let writer = WAVWriter(sampleRate: 48_000, channels: 2, encoding: .s16)
        var expected: [UInt8] = []
        expected += Array("RIFF".utf8)
        expected += [0x0C, 0x04, 0x00, 0x00]  // RIFF size 36 + 1000
        expected += Array("WAVE".utf8)
        expected += Array("fmt ".utf8)
        expected += [16, 0, 0, 0]  // fmt size
        expected += [1, 0]  // PCM
        expected += [2, 0]  // channels
        expected += [0x80, 0xBB, 0x00, 0x00]  // 48000 Hz
        expected += [0x00, 0xEE, 0x02, 0x00]  // byte rate 192000
        expected += [4, 0]  // block align
        expected += [16, 0]  // bits per sample
        expected += Array("data".utf8)
        expected += [0xE8, 0x03, 0x00, 0x00]  // 1000
        let header = writer.header(dataByteCount: 1000)
        #expect(header == expected)
        #expect(header.count == 44 && writer.headerSize == 44)
        #expect(writer.riffSizeOffset == 4 && writer.dataSizeOffset == 40 && writer.factSampleCountOffset == nil)
    }

    @Test func s16HeaderStreaming() {
        let writer = WAVWriter(sampleRate: 8_000, channels: 1, encoding: .s16)
        let header = writer.header(dataByteCount: nil)
        #expect(Array(header[4..<8]) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(Array(header[40..<44]) == [0xFF, 0xFF, 0xFF, 0xFF])
        // Everything but the sizes is the same as with a known length.
        var known = writer.header(dataByteCount: 0)
        known.replaceSubrange(4..<8, with: [0xFF, 0xFF, 0xFF, 0xFF])
        known.replaceSubrange(40..<44, with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(header == known)
    }

    @Test func f32HeaderWithKnownLength() {
        let writer = WAVWriter(sampleRate: 44_100, channels: 1, encoding: .f32)
        var expected: [UInt8] = []
        expected += Array("RIFF".utf8)
        expected += [0xC2, 0x01, 0x00, 0x00]  // RIFF size 50 + 400
        expected += Array("WAVE".utf8)
        expected += Array("fmt ".utf8)
        expected += [18, 0, 0, 0]  // fmt size
        expected += [3, 0]  // IEEE float
        expected += [1, 0]  // channels
        expected += [0x44, 0xAC, 0x00, 0x00]  // 44100 Hz
        expected += [0x10, 0xB1, 0x02, 0x00]  // byte rate 176400
        expected += [4, 0]  // block align
        expected += [32, 0]  // bits per sample
        expected += [0, 0]  // cbSize
        expected += Array("fact".utf8)
        expected += [4, 0, 0, 0]  // fact size
        expected += [100, 0, 0, 0]  // 100 sample frames
        expected += Array("data".utf8)
        expected += [0x90, 0x01, 0x00, 0x00]  // 400
        let header = writer.header(dataByteCount: 400)
        #expect(header == expected)
        #expect(header.count == 58 && writer.headerSize == 58)
        #expect(writer.riffSizeOffset == 4 && writer.dataSizeOffset == 54 && writer.factSampleCountOffset == 46)
    }

    @Test func f32HeaderStreaming() {
        let header = WAVWriter(sampleRate: 48_000, channels: 2, encoding: .f32).header(dataByteCount: nil)
        for offset in [4, 54] {
            #expect(Array(header[offset..<(offset + 4)]) == [0xFF, 0xFF, 0xFF, 0xFF])
        }
        // Unknown fact count is 0, which ffmpeg reads as "use the data size".
        #expect(Array(header[46..<50]) == [0, 0, 0, 0])
    }

    @Test func oversizedLengthFallsBackToStreamingSizes() {
        let header = WAVWriter(sampleRate: 48_000, channels: 2, encoding: .s16).header(dataByteCount: 5_000_000_000)
        #expect(Array(header[4..<8]) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(Array(header[40..<44]) == [0xFF, 0xFF, 0xFF, 0xFF])
    }

    @Test func patchOffsetsMatchRewrittenHeader() {
        // Patching the size fields of a streaming header must give the known-length header.
        for encoding in [WAVWriter.OutputEncoding.s16, .f32] {
            let writer = WAVWriter(sampleRate: 32_000, channels: 3, encoding: encoding)
            let bytes: UInt64 = 12_000
            var patched = writer.header(dataByteCount: nil)
            let known = writer.header(dataByteCount: bytes)
            patched.replaceSubrange(writer.riffSizeOffset..<(writer.riffSizeOffset + 4),
                                    with: WAVWriter.littleEndianBytes(UInt32(bytes) + UInt32(writer.headerSize - 8)))
            patched.replaceSubrange(writer.dataSizeOffset..<(writer.dataSizeOffset + 4), with: WAVWriter.littleEndianBytes(UInt32(bytes)))
            if let fact = writer.factSampleCountOffset {
                patched.replaceSubrange(fact..<(fact + 4), with: WAVWriter.littleEndianBytes(UInt32(bytes) / 12))
            }
            #expect(patched == known)
        }
    }

    @Test func s16EncodingClampsAndRounds() {
        let writer = WAVWriter(sampleRate: 48_000, channels: 1, encoding: .s16)
        var input: [Float] = [0, 1, -1, 2, -2, 0.5, -0.5, .nan, -.nan, .infinity, -.infinity, 32766.9 / 32768, 0.99999]
        var expected: [Int16] = [0, 32767, -32768, 32767, -32768, 16384, -16384, 0, 0, 32767, -32768, 32767, 32767]
        // Exact ties round away from zero, like C round(): 0.5 → 1, 2.5 → 3, -2.5 → -3.
        input += [1.0 / 65536, -1.0 / 65536, 3.0 / 65536, 5.0 / 65536, -5.0 / 65536, 65535.0 / 65536]
        expected += [1, -1, 2, 3, -3, 32767]
        // Just below a tie rounds down (an `x + 0.5` implementation gets this wrong).
        input += [Float(0.5).nextDown / 32768, 0.3 / 32768, -0.7 / 32768, 1000.4 / 32768]
        expected += [0, 0, -1, 1000]
        let bytes = writer.encode(input)
        #expect(bytes.count == input.count * 2)
        let decoded = stride(from: 0, to: bytes.count, by: 2).map { Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8) }
        #expect(decoded == expected)
        #expect(writer.encode([]).isEmpty)
    }

    @Test func s16EncodingMatchesReferenceRounding() {
        // The encoder avoids libm for speed; compare it with the obvious definition.
        var rng = WAVTestRNG(seed: 5)
        var input = (0..<100_000).map { _ in Float.random(in: -1.1...1.1, using: &rng) }
        input += (0..<20_000).map { _ in (Float(Int.random(in: -65_540...65_540, using: &rng)) / 2) / 32768 }  // ties
        input += (0..<20_000).map { _ in Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &rng)) }  // anything
        let bytes = WAVWriter(sampleRate: 48_000, channels: 1, encoding: .s16).encode(input)
        var mismatches = 0
        for (i, x) in input.enumerated() {
            let reference: Int16 =
                x.isNaN ? 0 : Int16(Swift.min(Swift.max((Swift.min(Swift.max(x, -1), Float(32767) / 32768) * 32768).rounded(), -32768), 32767))
            let got = Int16(bitPattern: UInt16(bytes[2 * i]) | UInt16(bytes[2 * i + 1]) << 8)
            if got != reference { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func f32EncodingIsRawLittleEndianBits() {
        let bytes = WAVWriter(sampleRate: 48_000, channels: 1, encoding: .f32).encode([1.0, -0.5])
        #expect(bytes == [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xBF])
    }

    @Test(arguments: [false, true])
    func f32RoundTripIsBitExact(knownLength: Bool) throws {
        var rng = WAVTestRNG(seed: 99)
        var samples: [Float] = [0, -0.0, 1, -1, 1.5, -7, .leastNonzeroMagnitude, -.leastNormalMagnitude, .greatestFiniteMagnitude, .infinity]
        samples += (0..<20_000).map { _ in Float(bitPattern: UInt32.random(in: 0...0x7F7F_FFFF, using: &rng) | (Bool.random(using: &rng) ? 0x8000_0000 : 0)) }
        samples += (0..<20_000).map { _ in Float.random(in: -1...1, using: &rng) }
        let writer = WAVWriter(sampleRate: 96_000, channels: 2, encoding: .f32)
        let audio = writer.encode(samples)
        let file = writer.header(dataByteCount: knownLength ? UInt64(audio.count) : nil) + audio
        var parser = WAVStreamParser(maxFramesPerChunk: 1000)
        var decoded: [Float] = []
        var i = 0
        while i < file.count {  // uneven feeds so frames straddle calls
            let end = min(i + 4093, file.count)
            for piece in try parser.feed(Array(file[i..<end])) { decoded += piece }
            i = end
        }
        for piece in try parser.finish() { decoded += piece }
        #expect(parser.format == WAVFormat(sampleRate: 96_000, channels: 2, encoding: .f32))
        #expect(decoded.map(\.bitPattern) == samples.map(\.bitPattern))
    }

    @Test func s16FileParsesBack() throws {
        let writer = WAVWriter(sampleRate: 16_000, channels: 2, encoding: .s16)
        let samples: [Float] = [0.25, -0.25, 0.5, -1]
        let audio = writer.encode(samples)
        for size in [UInt64(audio.count), nil] {
            var parser = WAVStreamParser()
            let out = try parser.feed(writer.header(dataByteCount: size) + audio).flatMap { $0 }
            #expect(try parser.finish().isEmpty)
            #expect(out == samples)
            #expect(parser.format == WAVFormat(sampleRate: 16_000, channels: 2, encoding: .s16))
        }
    }

    @Test func absurdParametersDoNotTrap() {
        let writer = WAVWriter(sampleRate: Int.max, channels: Int.max, encoding: .f32)
        #expect(writer.header(dataByteCount: UInt64.max).count == 58)
        let negative = WAVWriter(sampleRate: -1, channels: -5, encoding: .s16)
        #expect(negative.header(dataByteCount: 10).count == 44)
    }
}
