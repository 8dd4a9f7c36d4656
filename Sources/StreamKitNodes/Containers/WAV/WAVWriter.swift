/// Builds WAV headers and encodes interleaved Float samples for them.
///
/// The writer is stateless: callers emit `header(dataByteCount:)` once, then `encode(_:)`
/// for each block of audio. When the length isn't known up front (a pipe, an HTTP
/// response) pass `nil` and the header carries the 0xFFFFFFFF sizes that ffmpeg writes for
/// pipes, which ffmpeg and most tools read as "until end of stream". If the output later
/// turns out to be seekable, patch the sizes at `riffSizeOffset` / `dataSizeOffset` (and
/// `factSampleCountOffset` for f32) — or simply rewrite the whole header: its length never
/// depends on `dataByteCount`.
///
/// Layouts:
/// - `s16`: the canonical 44-byte header — `RIFF`, `fmt ` (16 bytes, PCM), `data`.
/// - `f32`: 58 bytes — `RIFF`, `fmt ` (18 bytes, WAVE_FORMAT_IEEE_FLOAT, cbSize 0), `fact`
///   (sample frames per channel, which the spec requires for non-PCM codes; 0 when the
///   length is unknown), `data`. The plain IEEE-float code rather than EXTENSIBLE keeps the
///   header free of a channel mask we'd have to invent; it is the classic float-WAV layout
///   and ffmpeg reads it from files and from pipes.
public struct WAVWriter: Sendable {
    /// The sample formats the writer can produce.
    public enum OutputEncoding: String, Sendable {
        /// 16-bit signed little-endian PCM.
        case s16
        /// 32-bit little-endian IEEE float.
        case f32

        /// The size of one sample of one channel, in bytes.
        public var bytesPerSample: Int {
            switch self {
            case .s16: 2
            case .f32: 4
            }
        }
    }

    /// Sample frames per second written into the header.
    public let sampleRate: Int
    /// Interleaved channels per frame written into the header.
    public let channels: Int
    /// How samples are stored.
    public let encoding: OutputEncoding

    /// Creates a writer. Out-of-range values are clamped into the header's 16/32-bit fields
    /// rather than trapping; validating them is the caller's job.
    public init(sampleRate: Int, channels: Int, encoding: OutputEncoding) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.encoding = encoding
    }

    /// The size of the header returned by `header(dataByteCount:)`, in bytes.
    public var headerSize: Int {
        switch encoding {
        case .s16: 44
        case .f32: 58
        }
    }

    /// Byte offset of the little-endian UInt32 RIFF size (file length − 8).
    public var riffSizeOffset: Int { 4 }

    /// Byte offset of the little-endian UInt32 data chunk size — the header's last 4 bytes.
    public var dataSizeOffset: Int { headerSize - 4 }

    /// Byte offset of the little-endian UInt32 `fact` sample-frame count, or nil when the
    /// header has no `fact` chunk (s16).
    public var factSampleCountOffset: Int? {
        switch encoding {
        case .s16: nil
        case .f32: 46
        }
    }

    /// The size of one interleaved frame (all channels), in bytes, as written to `blockAlign`.
    public var bytesPerFrame: Int {
        // Clamp first so absurd channel counts saturate instead of overflowing.
        Int(UInt16(clamping: Int(UInt16(clamping: channels)) * encoding.bytesPerSample))
    }

    /// Returns the WAV header.
    ///
    /// - Parameter dataByteCount: the exact number of sample bytes that will follow, or nil
    ///   if unknown (streaming). Unknown RIFF and data sizes — and sizes too big for the
    ///   32-bit fields — are written as 0xFFFFFFFF, as ffmpeg does for pipes; an unknown
    ///   `fact` count (f32) as 0.
    public func header(dataByteCount: UInt64?) -> [UInt8] {
        let unknown: UInt32 = 0xFFFF_FFFF
        let frameBytes = UInt64(bytesPerFrame)
        let rate = UInt32(clamping: sampleRate)

        var riffSize = unknown
        var dataSize = unknown
        // An unknown `fact` count is written as 0, not 0xFFFFFFFF: ffmpeg takes a non-zero
        // fact count as the stream duration (0xFFFFFFFF frames ≈ a day at 48 kHz), while 0
        // makes it fall back to the data size.
        var factFrames: UInt32 = 0
        if let dataByteCount {
            // RIFF size counts everything after its own field: the header minus 8 bytes,
            // the data, and the data chunk's pad byte when its length is odd.
            let (total, overflow) = (UInt64(headerSize) - 8 + (dataByteCount & 1))
                .addingReportingOverflow(dataByteCount)
            riffSize = overflow ? unknown : UInt32(clamping: total)
            dataSize = UInt32(clamping: dataByteCount)
            let frames = frameBytes == 0 ? 0 : dataByteCount / frameBytes
            factFrames = frames > UInt64(UInt32.max) ? 0 : UInt32(frames)
        }

        var out: [UInt8] = []
        out.reserveCapacity(headerSize)
        out.append(contentsOf: "RIFF".utf8)
        Self.append32(riffSize, to: &out)
        out.append(contentsOf: "WAVE".utf8)

        out.append(contentsOf: "fmt ".utf8)
        Self.append32(encoding == .s16 ? 16 : 18, to: &out)
        Self.append16(encoding == .s16 ? 1 : 3, to: &out)  // WAVE_FORMAT_PCM / IEEE_FLOAT
        Self.append16(UInt16(clamping: channels), to: &out)
        Self.append32(rate, to: &out)
        Self.append32(UInt32(clamping: UInt64(rate) * frameBytes), to: &out)  // byte rate
        Self.append16(UInt16(frameBytes), to: &out)  // block align
        Self.append16(UInt16(encoding.bytesPerSample * 8), to: &out)  // bits per sample
        if encoding == .f32 {
            Self.append16(0, to: &out)  // cbSize: no extension
            out.append(contentsOf: "fact".utf8)
            Self.append32(4, to: &out)
            Self.append32(factFrames, to: &out)
        }

        out.append(contentsOf: "data".utf8)
        Self.append32(dataSize, to: &out)
        return out
    }

    /// Returns `value` as 4 little-endian bytes, for patching a size field in place.
    public static func littleEndianBytes(_ value: UInt32) -> [UInt8] {
        var out: [UInt8] = []
        append32(value, to: &out)
        return out
    }

    /// Encodes interleaved Float samples.
    ///
    /// - `s16`: clamp to [-1, 1), then round(x × 32768) (C `round`: ties away from zero) into Int16,
    ///   little-endian. NaN becomes 0 so a bad upstream value can't trap the process. Every
    ///   value produced by `WAVStreamParser` from s16 input maps back to the same integer.
    /// - `f32`: the raw IEEE 754 bits, little-endian, so float audio passes bit-exact.
    public func encode(_ samples: [Float]) -> [UInt8] {
        let count = samples.count
        let width = encoding.bytesPerSample
        return [UInt8](unsafeUninitializedCapacity: count * width) { buffer, initialized in
            guard let out = buffer.baseAddress else {
                initialized = 0
                return
            }
            let raw = UnsafeMutableRawPointer(out)
            samples.withUnsafeBufferPointer { src in
                switch encoding {
                case .s16:
                    for i in 0..<count {
                        raw.storeBytes(of: Self.s16(src[i]).littleEndian, toByteOffset: i &* 2, as: Int16.self)
                    }
                case .f32:
                    for i in 0..<count {
                        raw.storeBytes(of: src[i].bitPattern.littleEndian, toByteOffset: i &* 4, as: UInt32.self)
                    }
                }
            }
            initialized = count * width
        }
    }

    /// One Float sample to s16, saturating instead of trapping on out-of-range input.
    ///
    /// Written without `Float.rounded()` (libm's roundf, which this Foundation-free module
    /// would have to link explicitly on Linux) and without a checked Float → Int
    /// conversion (its trap branch stops the loop from vectorizing): every step is a
    /// compare/select or exact float arithmetic, so `encode` runs as SIMD.
    @inline(__always)
    static func s16(_ x: Float) -> Int16 {
        // NaN becomes silence; it fails `x == x`.
        let scaled = x == x ? x * 32768 : 0
        // Clamping the scaled value to 32767 is the same as clamping x to just below 1.
        let clamped = Swift.min(Swift.max(scaled, -32768), 32767)
        // Adding 1.5 × 2^23 pushes the fraction out of the significand, so the sum is rounded
        // to an integer (ties to even, the default FP mode) and subtracting gives it back.
        let magic: Float = 12_582_912
        let nearestEven = (clamped + magic) - magic
        // `clamped - nearestEven` is exact, and is ±0.5 only on a tie (k + 0.5). Ties go away
        // from zero, as C's round() does; `clamped ± 0.5` is then an exact integer.
        // Exact ties never occur for s16-derived input, so the round trip doesn't depend on this.
        let tie = clamped - nearestEven
        let isTie = tie == 0.5 || tie == -0.5
        let rounded = isTie ? clamped + (clamped < 0 ? -0.5 : 0.5) : nearestEven
        // Re-add the magic number and read the integer straight out of the significand bits
        // (0x4B400000 is magic's own bit pattern); `rounded` is within ±32768, so it fits.
        let bits = Int32(bitPattern: (rounded + magic).bitPattern) &- 0x4B40_0000
        return Int16(truncatingIfNeeded: bits)
    }

    static func append16(_ value: UInt16, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: value))
        out.append(UInt8(truncatingIfNeeded: value >> 8))
    }

    static func append32(_ value: UInt32, to out: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) {
            out.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }
}
