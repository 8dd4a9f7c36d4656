/// How the samples of a WAV stream are stored on the wire.
public enum WAVSampleEncoding: String, Sendable, Equatable {
    /// 8-bit unsigned integer PCM (silence is 128), the only unsigned width WAV uses.
    case u8
    /// 16-bit signed little-endian integer PCM.
    case s16
    /// 24-bit signed little-endian integer PCM, packed in 3 bytes.
    case s24
    /// 32-bit signed little-endian integer PCM.
    case s32
    /// 32-bit little-endian IEEE 754 float.
    case f32
    /// 64-bit little-endian IEEE 754 float.
    case f64

    /// The size of one sample of one channel, in bytes.
    public var bytesPerSample: Int {
        switch self {
        case .u8: 1
        case .s16: 2
        case .s24: 3
        case .s32, .f32: 4
        case .f64: 8
        }
    }
}

/// The audio format announced by a WAV header.
public struct WAVFormat: Sendable, Equatable {
    /// Sample frames per second.
    public var sampleRate: Int
    /// Interleaved channels per frame.
    public var channels: Int
    /// How each sample is stored.
    public var encoding: WAVSampleEncoding

    /// Creates a format description.
    public init(sampleRate: Int, channels: Int, encoding: WAVSampleEncoding) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.encoding = encoding
    }

    /// The size of one interleaved sample frame (all channels), in bytes.
    public var bytesPerFrame: Int { channels * encoding.bytesPerSample }
}

/// An incremental (push) parser for WAV streams.
///
/// Bytes can arrive in any split — a whole file at once or one byte per call — because WAV
/// often comes from pipes and network sockets where reads are arbitrary. The parser keeps
/// only what it must between calls: an incomplete chunk header, the `fmt ` chunk (at most
/// 1 KiB) or one incomplete sample frame. Chunks it does not need (LIST, bext, JUNK, …) are
/// skipped by counting, never buffered, so a hostile multi-gigabyte chunk costs no memory.
///
/// Supported: RIFF/WAVE (and RF64/BW64 with a `ds64` chunk), format codes PCM (1), IEEE
/// float (3) and WAVE_FORMAT_EXTENSIBLE (0xFFFE) with a PCM or float sub-format;
/// u8/s16/s24/s32 integer and f32/f64 float samples; 1...64 channels; 1...768000 Hz.
///
/// Integer samples are scaled by a power of two (`s16`: x / 32768, `s24`: x / 8388608,
/// `s32`: x / 2147483648, `u8`: (x - 128) / 128) so they land in [-1, 1) exactly and an
/// s16 → Float → s16 round trip through `WAVWriter` is bit-exact. Float samples are passed
/// through unchanged (not clamped), so float files with headroom above 0 dBFS survive and a
/// f32 round trip is bit-exact.
public struct WAVStreamParser: Sendable {
    /// Where in the stream the parser is; each case says what the next bytes mean.
    private enum State: Sendable {
        /// Waiting for the 12-byte `RIFF` size `WAVE` preamble.
        case preamble
        /// Waiting for an 8-byte chunk header (four-character id + little-endian size).
        case chunkHeader
        /// Buffering a `fmt ` chunk of `size` bytes (plus its pad byte when `size` is odd).
        case fmtBody(size: Int)
        /// Buffering the fixed 24-byte part of a `ds64` chunk; `rest` bytes follow and are skipped.
        case ds64Body(rest: UInt64)
        /// Skipping the body of a chunk we don't need.
        case skipping(remaining: UInt64)
        /// Inside the data chunk; `remaining` is nil when the length is unknown (streamed WAV).
        case data(remaining: UInt64?)
        /// After the data chunk's declared end: anything else (LIST, id3, …) is ignored.
        case trailing
        /// `finish()` has returned.
        case finished
        /// An error was thrown; the stream is unusable and every later call reports it again.
        case failed(WAVError)
    }

    /// The largest `fmt ` (or `ds64`) chunk we agree to buffer. Real ones are 16...40 bytes;
    /// anything bigger than this is a corrupt or hostile header, not a format we'd understand.
    static let maxHeaderChunkSize = 1024
    /// Data chunk sizes that mean "unknown, read until the end of the stream": 0xFFFFFFFF is
    /// what ffmpeg and others write when the output is a pipe, 0 what some live encoders write.
    static let streamingSizes: Set<UInt64> = [0, 0xFFFF_FFFF]

    /// The largest piece `feed` returns, in frames.
    public let maxFramesPerChunk: Int

    /// The format, once the header (RIFF/WAVE, fmt, up to the data chunk) has been parsed.
    public private(set) var format: WAVFormat?

    private var state: State = .preamble
    /// Bytes held between calls: an incomplete header / fmt chunk, or one incomplete frame.
    private var pending: [UInt8] = []
    /// The format from the last `fmt ` chunk; published as `format` at the data chunk.
    private var fmtFormat: WAVFormat?
    /// True for RF64/BW64 files, whose 32-bit sizes may defer to the `ds64` chunk.
    private var isRF64 = false
    /// The 64-bit data size from `ds64`, when one was present and meaningful.
    private var ds64DataSize: UInt64?
    /// Total bytes fed so far, for error messages.
    private var bytesFed: UInt64 = 0
    /// The data chunk's declared size (nil = until end of stream) and the bytes of it seen.
    private var dataDeclared: UInt64?
    private var dataReceived: UInt64 = 0

    /// Creates a parser.
    ///
    /// - Parameter maxFramesPerChunk: the most sample frames returned in one output piece,
    ///   so downstream packets stay small even if a whole file is fed at once. Values below
    ///   1 are treated as 1.
    public init(maxFramesPerChunk: Int = 4096) {
        self.maxFramesPerChunk = max(1, maxFramesPerChunk)
        // Enough for any header structure we buffer, so steady-state feeding doesn't reallocate.
        pending.reserveCapacity(64)
    }

    /// Feeds the next bytes of the stream (any split, even 1 byte at a time).
    ///
    /// - Returns: decoded audio as interleaved Float32 (integer formats in [-1, 1)), whole
    ///   sample frames only — a partial frame is kept for the next call — in pieces of at
    ///   most `maxFramesPerChunk` frames each. Empty while the header is still arriving.
    /// - Throws: `WAVError` on invalid input. After an error the parser stays failed and
    ///   rethrows the same error, because the byte position can no longer be trusted.
    public mutating func feed(_ bytes: [UInt8]) throws -> [[Float]] {
        switch state {
        case .failed(let error):
            throw error
        case .finished:
            let error = WAVError("WAV parser was fed more bytes after finish() was called")
            state = .failed(error)
            throw error
        default:
            break
        }
        do {
            return try bytes.withUnsafeBytes { raw in try process(raw) }
        } catch let error as WAVError {
            state = .failed(error)
            throw error
        }
    }

    /// Call at end of stream.
    ///
    /// `feed` already returns every whole frame as soon as it arrives, so this returns the
    /// remaining whole frames — currently always none — and mainly checks that the stream
    /// ended cleanly.
    ///
    /// - Throws: `WAVError` if the stream ended before the header was complete ("WAV stream
    ///   ended after N bytes, before the data chunk"), if the data chunk declared more bytes
    ///   than arrived ("WAV data chunk declares N bytes but the stream ended after M"), or if
    ///   a partial sample frame is left over.
    public mutating func finish() throws -> [[Float]] {
        let error: WAVError
        switch state {
        case .failed(let previous):
            throw previous
        case .finished:
            return []
        case .preamble, .chunkHeader, .fmtBody, .ds64Body, .skipping:
            error = WAVError("WAV stream ended after \(bytesFed) bytes, before the data chunk")
        case .data(let remaining):
            if let remaining, remaining > 0, let declared = dataDeclared {
                error = WAVError(
                    "WAV data chunk declares \(declared) bytes but the stream ended after \(dataReceived)"
                )
            } else if let partial = partialFrameError() {
                error = partial
            } else {
                state = .finished
                return []
            }
        case .trailing:
            if let partial = partialFrameError() {
                error = partial
            } else {
                state = .finished
                return []
            }
        }
        state = .failed(error)
        throw error
    }

    /// Bytes currently held between calls (header in progress or one partial frame).
    /// Exposed for tests that check memory stays bounded.
    var bufferedByteCount: Int { pending.count }

    // MARK: - Parsing

    private func partialFrameError() -> WAVError? {
        guard !pending.isEmpty, let format else { return nil }
        return WAVError(
            "WAV stream ended with a partial sample frame: \(pending.count) of \(format.bytesPerFrame) bytes"
        )
    }

    /// Runs the state machine over one buffer of input.
    private mutating func process(_ input: UnsafeRawBufferPointer) throws -> [[Float]] {
        guard let base = input.baseAddress, input.count > 0 else { return [] }
        let count = input.count
        bytesFed &+= UInt64(count)
        var offset = 0
        var output: [[Float]] = []

        while offset < count {
            switch state {
            case .preamble:
                guard gather(12, from: base, count: count, offset: &offset) else { break }
                try parsePreamble()
                pending.removeAll(keepingCapacity: true)
                state = .chunkHeader

            case .chunkHeader:
                guard gather(8, from: base, count: count, offset: &offset) else { break }
                let id = Array(pending[0..<4])
                let size = UInt64(Self.readLE32(pending, at: 4))
                pending.removeAll(keepingCapacity: true)
                try beginChunk(id: id, size: size)

            case .fmtBody(let size):
                // The pad byte of an odd-sized chunk is buffered too; it's at most one byte
                // and keeps the next chunk header aligned without another state.
                guard gather(size + (size & 1), from: base, count: count, offset: &offset) else { break }
                fmtFormat = try Self.parseFmt(Array(pending[0..<size]))
                pending.removeAll(keepingCapacity: true)
                state = .chunkHeader

            case .ds64Body(let rest):
                guard gather(24, from: base, count: count, offset: &offset) else { break }
                // Layout: RIFF size (8), data size (8), sample count (8), table (skipped).
                let dataSize = Self.readLE64(pending, at: 8)
                // Streaming RF64 writers leave it 0 or all ones; treat those as unknown.
                ds64DataSize = (dataSize == 0 || dataSize == UInt64.max) ? nil : dataSize
                pending.removeAll(keepingCapacity: true)
                state = rest == 0 ? .chunkHeader : .skipping(remaining: rest)

            case .skipping(let remaining):
                let step = min(remaining, UInt64(count - offset))
                offset += Int(step)
                let left = remaining - step
                state = left == 0 ? .chunkHeader : .skipping(remaining: left)

            case .data(let remaining):
                let available = count - offset
                // `remaining` may be far larger than Int on hostile input; compare as UInt64.
                let take = remaining.map { Int(min($0, UInt64(available))) } ?? available
                decode(base + offset, byteCount: take, into: &output)
                offset += take
                dataReceived &+= UInt64(take)
                if let remaining {
                    let left = remaining - UInt64(take)
                    state = left == 0 ? .trailing : .data(remaining: left)
                }

            case .trailing:
                // Chunks after the audio (LIST, id3, cue) carry nothing we use.
                offset = count

            case .finished, .failed:
                // feed() rejects these before calling us; stop rather than loop forever.
                offset = count
            }
        }
        return output
    }

    /// Appends input bytes to `pending` until it holds `needed` bytes.
    /// - Returns: true once `pending` is complete.
    private mutating func gather(
        _ needed: Int, from base: UnsafeRawPointer, count: Int, offset: inout Int
    ) -> Bool {
        let take = min(needed - pending.count, count - offset)
        if take > 0 {
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base + offset, count: take))
            offset += take
        }
        return pending.count >= needed
    }

    private mutating func parsePreamble() throws {
        let riff = Array(pending[0..<4])
        switch riff {
        case Array("RIFF".utf8):
            break
        case Array("RF64".utf8), Array("BW64".utf8):
            // The 32-bit sizes are placeholders; the real ones live in the ds64 chunk.
            isRF64 = true
        case Array("RIFX".utf8):
            throw WAVError("big-endian WAV ('RIFX') is not supported; expected 'RIFF'")
        default:
            throw WAVError("not a WAV stream: expected 'RIFF' at byte 0, got \(Self.describe(riff))")
        }
        let wave = Array(pending[8..<12])
        guard wave == Array("WAVE".utf8) else {
            throw WAVError("not a WAV stream: expected 'WAVE' at byte 8, got \(Self.describe(wave))")
        }
        // The RIFF size itself is ignored: streaming writers set it to 0xFFFFFFFF and many
        // files get it wrong, while the data chunk size is what actually bounds the audio.
    }

    private mutating func beginChunk(id: [UInt8], size: UInt64) throws {
        switch id {
        case Array("fmt ".utf8):
            guard size >= 16 else {
                throw WAVError("WAV fmt chunk too short: \(size) bytes, need at least 16")
            }
            guard size <= UInt64(Self.maxHeaderChunkSize) else {
                throw WAVError(
                    "WAV fmt chunk size \(size) is implausible (more than \(Self.maxHeaderChunkSize) bytes)"
                )
            }
            state = .fmtBody(size: Int(size))

        case Array("ds64".utf8) where isRF64:
            guard size >= 24 else {
                throw WAVError("RF64 ds64 chunk too short: \(size) bytes, need at least 24")
            }
            // Only the first 24 bytes matter; the optional chunk-size table is skipped.
            state = .ds64Body(rest: size - 24 + (size & 1))

        case Array("data".utf8):
            guard let fmt = fmtFormat else {
                throw WAVError("WAV data chunk found before the fmt chunk")
            }
            let declared: UInt64?
            if isRF64 && size == 0xFFFF_FFFF {
                declared = ds64DataSize
            } else if Self.streamingSizes.contains(size) {
                declared = nil
            } else {
                declared = size
            }
            format = fmt
            dataDeclared = declared
            // `declared` is never 0 here (0 means streaming), but guard the state machine anyway.
            state = declared == 0 ? .trailing : .data(remaining: declared)

        default:
            // Unknown or unneeded chunk: skip body and pad byte by counting, never buffering.
            let skip = size + (size & 1)
            state = skip == 0 ? .chunkHeader : .skipping(remaining: skip)
        }
    }

    /// Known format codes, so the error for e.g. an MP3-in-WAV says what it actually is.
    private static let formatNames: [UInt16: String] = [
        0x0002: "Microsoft ADPCM", 0x0006: "A-law", 0x0007: "mu-law", 0x0011: "IMA ADPCM",
        0x0031: "GSM 6.10", 0x0050: "MPEG", 0x0055: "MPEG Layer 3", 0x00FF: "AAC",
        0x1610: "AAC (ADTS)", 0x2000: "AC-3", 0x2001: "DTS",
    ]

    /// The tail shared by the PCM and IEEE-float KSDATAFORMAT_SUBTYPE GUIDs
    /// (xxxxxxxx-0000-0010-8000-00AA00389B71), as stored little-endian after Data1.
    private static let subFormatTail: [UInt8] = [
        0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
    ]

    /// Validates a `fmt ` chunk body (at least 16 bytes) and turns it into a format.
    static func parseFmt(_ body: [UInt8]) throws -> WAVFormat {
        let tag = readLE16(body, at: 0)
        let channels = Int(readLE16(body, at: 2))
        let sampleRate = Int(readLE32(body, at: 4))
        // Bytes 8..<12 are the byte rate. It's redundant and often wrong in the wild, and
        // we never need it, so it is not checked.
        let blockAlign = Int(readLE16(body, at: 12))
        let bits = Int(readLE16(body, at: 14))

        let isFloat: Bool
        switch tag {
        case 1:
            isFloat = false
        case 3:
            isFloat = true
        case 0xFFFE:
            guard body.count >= 40 else {
                throw WAVError(
                    "WAV fmt chunk too short for WAVE_FORMAT_EXTENSIBLE: \(body.count) bytes, need 40"
                )
            }
            let data1 = readLE32(body, at: 24)
            guard Array(body[28..<40]) == subFormatTail, data1 == 1 || data1 == 3 else {
                throw WAVError(
                    "unsupported WAVE_FORMAT_EXTENSIBLE sub-format \(describeGUID(Array(body[24..<40]))); "
                        + "only PCM and IEEE float are supported"
                )
            }
            // wValidBitsPerSample is ignored: valid bits are left-justified in the container,
            // so scaling the whole container gives the right value.
            isFloat = data1 == 3
        default:
            let name = formatNames[tag].map { " (\($0))" } ?? ""
            throw WAVError(
                "unsupported WAV format code \(hex(tag))\(name); only PCM (1), IEEE float (3) "
                    + "and WAVE_FORMAT_EXTENSIBLE (0xFFFE) are supported"
            )
        }

        guard channels >= 1 else { throw WAVError("WAV fmt chunk declares 0 channels") }
        guard channels <= 64 else {
            throw WAVError("WAV fmt chunk declares \(channels) channels; at most 64 are supported")
        }
        guard sampleRate >= 1 else { throw WAVError("WAV fmt chunk declares sample rate 0") }
        guard sampleRate <= 768_000 else {
            throw WAVError("WAV fmt chunk declares sample rate \(sampleRate) Hz; at most 768000 is supported")
        }

        let encoding: WAVSampleEncoding
        switch (isFloat, bits) {
        case (false, 8): encoding = .u8
        case (false, 16): encoding = .s16
        case (false, 24): encoding = .s24
        case (false, 32): encoding = .s32
        case (true, 32): encoding = .f32
        case (true, 64): encoding = .f64
        default:
            let expected = isFloat ? "32 or 64 for float" : "8, 16, 24 or 32 for PCM"
            throw WAVError("unsupported WAV bits per sample \(bits); expected \(expected)")
        }

        // Both factors are bounded above (64 × 8), so this cannot overflow.
        let expectedAlign = channels * encoding.bytesPerSample
        guard blockAlign == expectedAlign else {
            throw WAVError(
                "WAV fmt chunk declares block align \(blockAlign), but \(channels) channels × "
                    + "\(encoding.bytesPerSample) bytes per sample = \(expectedAlign)"
            )
        }
        return WAVFormat(sampleRate: sampleRate, channels: channels, encoding: encoding)
    }

    // MARK: - Sample conversion

    /// Converts `byteCount` bytes of sample data, completing any frame left in `pending`
    /// first, and appends the result in pieces of at most `maxFramesPerChunk` frames.
    private mutating func decode(
        _ source: UnsafeRawPointer, byteCount: Int, into output: inout [[Float]]
    ) {
        guard byteCount > 0, let format else { return }
        let frameBytes = format.bytesPerFrame
        var src = source
        var remainingBytes = byteCount

        // Complete the frame that straddled the previous call, if any.
        var carried: [UInt8]?
        if !pending.isEmpty {
            let take = min(frameBytes - pending.count, remainingBytes)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: src, count: take))
            src += take
            remainingBytes -= take
            guard pending.count == frameBytes else { return }
            carried = pending
            pending.removeAll(keepingCapacity: true)
        }

        var framesLeft = remainingBytes / frameBytes
        let tail = remainingBytes - framesLeft * frameBytes
        let channels = format.channels
        let encoding = format.encoding

        while framesLeft > 0 || carried != nil {
            let carriedFrames = carried == nil ? 0 : 1
            let inputFrames = min(framesLeft, maxFramesPerChunk - carriedFrames)
            let frames = carriedFrames + inputFrames
            let piece = [Float](unsafeUninitializedCapacity: frames * channels) { buffer, initialized in
                guard var dst = buffer.baseAddress else {
                    initialized = 0
                    return
                }
                if let carried {
                    carried.withUnsafeBytes { raw in
                        if let carriedBase = raw.baseAddress {
                            Self.convert(carriedBase, samples: channels, encoding: encoding, into: dst)
                        }
                    }
                    dst += channels
                }
                Self.convert(src, samples: inputFrames * channels, encoding: encoding, into: dst)
                initialized = frames * channels
            }
            output.append(piece)
            src += inputFrames * frameBytes
            framesLeft -= inputFrames
            carried = nil
        }

        if tail > 0 {
            pending.append(contentsOf: UnsafeRawBufferPointer(start: src, count: tail))
        }
    }

    /// Converts `samples` little-endian samples at `src` to Float at `dst`.
    ///
    /// One tight loop per encoding, over raw pointers with unaligned loads (the data chunk
    /// may start at any byte offset), so the optimizer can vectorize it. Scales are exact
    /// powers of two, so multiplying equals the specified division bit for bit.
    @inline(__always)
    static func convert(
        _ src: UnsafeRawPointer, samples: Int, encoding: WAVSampleEncoding,
        into dst: UnsafeMutablePointer<Float>
    ) {
        switch encoding {
        case .u8:
            let bytes = src.assumingMemoryBound(to: UInt8.self)
            for i in 0..<samples {
                dst[i] = Float(Int16(bytes[i]) - 128) * (1.0 / 128.0)
            }
        case .s16:
            for i in 0..<samples {
                let value = Int16(littleEndian: src.loadUnaligned(fromByteOffset: i &* 2, as: Int16.self))
                dst[i] = Float(value) * (1.0 / 32768.0)
            }
        case .s24:
            let bytes = src.assumingMemoryBound(to: UInt8.self)
            for i in 0..<samples {
                let p = i &* 3
                // Put the 24 bits at the top of an Int32 and shift back to sign-extend.
                let raw = UInt32(bytes[p]) << 8 | UInt32(bytes[p &+ 1]) << 16 | UInt32(bytes[p &+ 2]) << 24
                dst[i] = Float(Int32(bitPattern: raw) >> 8) * (1.0 / 8_388_608.0)
            }
        case .s32:
            for i in 0..<samples {
                let value = Int32(littleEndian: src.loadUnaligned(fromByteOffset: i &* 4, as: Int32.self))
                dst[i] = Float(value) * (1.0 / 2_147_483_648.0)
            }
        case .f32:
            for i in 0..<samples {
                let bits = UInt32(littleEndian: src.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self))
                dst[i] = Float(bitPattern: bits)
            }
        case .f64:
            for i in 0..<samples {
                let bits = UInt64(littleEndian: src.loadUnaligned(fromByteOffset: i &* 8, as: UInt64.self))
                dst[i] = Float(Double(bitPattern: bits))
            }
        }
    }

    // MARK: - Byte helpers (callers guarantee the indices are in range)

    static func readLE16(_ b: [UInt8], at i: Int) -> UInt16 {
        UInt16(b[i]) | UInt16(b[i + 1]) << 8
    }

    static func readLE32(_ b: [UInt8], at i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    static func readLE64(_ b: [UInt8], at i: Int) -> UInt64 {
        UInt64(readLE32(b, at: i)) | UInt64(readLE32(b, at: i + 4)) << 32
    }


    /// Shows a four-character code as text when printable (`'OggS'`), else as hex bytes,
    /// so an error tells the user what the stream really is.
    static func describe(_ code: [UInt8]) -> String {
        if code.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return "'" + String(decoding: code, as: UTF8.self) + "'"
        }
        return code.map { hexByte($0) }.joined(separator: " ")
    }

    static func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static func hexByte(_ value: UInt8) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "0x" + (digits.count < 2 ? "0" : "") + digits
    }

    static func describeGUID(_ g: [UInt8]) -> String {
        // GUID text form: Data1-3 are little-endian integers, Data4 is a byte string.
        func h(_ bytes: ArraySlice<UInt8>) -> String {
            bytes.map { let s = String($0, radix: 16, uppercase: true); return s.count < 2 ? "0" + s : s }
                .joined()
        }
        return "{" + h(g[0..<4].reversed()[...]) + "-" + h(g[4..<6].reversed()[...]) + "-"
            + h(g[6..<8].reversed()[...]) + "-" + h(g[8..<10]) + "-" + h(g[10..<16]) + "}"
    }
}
