import Foundation

/// Streaming band-limited (windowed-sinc) resampler for interleaved Float audio.
///
/// The conversion ratio is kept as an exact reduced fraction `L/M` (output/input), so the
/// position of every output frame is computed with integer arithmetic and never drifts, no
/// matter how long the stream runs or how the input is chunked. Output frame `k` is the
/// band-limited reconstruction of the input at time `k * inputRate / outputRate` (in input
/// frames) using a zero-phase Kaiser-windowed sinc, so there is no group delay to remove
/// downstream: the stream starts as if preceded by silence and ends as if followed by it.
///
/// When downsampling, the cutoff follows the *output* Nyquist frequency so content that
/// cannot be represented is removed instead of folding back as aliases.
///
/// The type is a value type holding only its own buffers, so each stream owns one and it can
/// be moved between tasks freely.
public struct SincResampler: Sendable {
    /// Raised by ``SincResampler/init(inputRate:outputRate:channels:)`` for a configuration
    /// that cannot describe a stream.
    public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
        /// A human-readable explanation, e.g. `"SincResampler inputRate must be > 0, got 0"`.
        public var message: String

        /// Creates an error with the given human-readable message.
        public init(_ message: String) {
            self.message = message
        }

        public var description: String { message }
    }

    /// Sample rate of the frames passed to ``process(_:)``, in Hz.
    public let inputRate: Int
    /// Sample rate of the frames returned, in Hz.
    public let outputRate: Int
    /// Number of interleaved channels in both input and output.
    public let channels: Int

    /// Rates above this are rejected because the rational step and table arithmetic is sized
    /// for real audio rates; anything larger is a configuration mistake, not a use case.
    static let maximumRate = 16_777_216

    /// Input is absorbed in blocks of this many frames so the history buffer stays bounded
    /// regardless of how large a single `process` call is.
    private static let blockFrames = 4096

    /// `nil` when the rates are equal: the stream is passed through untouched.
    private let kernel: PolyphaseKernel?

    /// Planar history: channel `c` occupies `history[c * historyCapacity ..< (c + 1) * historyCapacity]`.
    /// Planar rather than interleaved so each channel's dot product reads contiguous memory.
    private var history: [Float]
    private var historyCapacity: Int
    /// Absolute input-frame index held at offset 0 of each channel's history (negative at the
    /// start, where the implicit leading silence lives).
    private var historyStart: Int
    private var historyCount: Int

    /// Input frames received since the stream started; decides the exact total at flush.
    private var inputFrames: Int
    /// Output frames emitted since the stream started.
    private var outputFrames: Int
    /// Next output frame's time in input frames is `position + phase / L`.
    private var position: Int
    private var phase: Int

    /// Per-frame coefficients when the kernel interpolates between table rows; kept here so
    /// the inner loop never allocates.
    private var scratch: [Float]

    /// Creates a resampler for one stream.
    ///
    /// - Throws: ``ConfigurationError`` when a rate or the channel count is not > 0 (or a rate
    ///   exceeds 16 777 216 Hz, which no real stream uses).
    public init(inputRate: Int, outputRate: Int, channels: Int) throws {
        guard inputRate > 0 else {
            throw ConfigurationError("SincResampler inputRate must be > 0, got \(inputRate)")
        }
        guard outputRate > 0 else {
            throw ConfigurationError("SincResampler outputRate must be > 0, got \(outputRate)")
        }
        guard channels > 0 else {
            throw ConfigurationError("SincResampler channels must be > 0, got \(channels)")
        }
        guard inputRate <= Self.maximumRate, outputRate <= Self.maximumRate else {
            throw ConfigurationError(
                "SincResampler rates must be <= \(Self.maximumRate) Hz, got \(inputRate) -> \(outputRate)"
            )
        }
        self.inputRate = inputRate
        self.outputRate = outputRate
        self.channels = channels
        self.kernel = inputRate == outputRate ? nil : PolyphaseKernel(inputRate: inputRate, outputRate: outputRate)
        self.history = []
        self.historyCapacity = 0
        self.historyStart = 0
        self.historyCount = 0
        self.inputFrames = 0
        self.outputFrames = 0
        self.position = 0
        self.phase = 0
        self.scratch = []
        resetStream()
    }

    /// Feeds interleaved samples and returns every output frame that can be produced so far,
    /// interleaved.
    ///
    /// `input.count` should be a multiple of ``channels``; a partial trailing frame is ignored.
    /// The concatenation of all returned arrays (plus ``flush()``) does not depend on how the
    /// input was split into calls.
    public mutating func process(_ input: [Float]) -> [Float] {
        let frames = input.count / channels
        guard frames > 0 else { return [] }
        let sampleCount = frames * channels
        guard let kernel else {
            // Equal rates: any filtering would only add rounding error, so hand the samples back.
            return sampleCount == input.count ? input : Array(input[0..<sampleCount])
        }
        inputFrames += frames
        var output: [Float] = []
        let estimate = Self.totalOutputFrames(inputFrames: frames, upFactor: kernel.upFactor, downFactor: kernel.downFactor)
        output.reserveCapacity((estimate + 1) * channels)
        input.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            var done = 0
            while done < frames {
                let count = min(Self.blockFrames, frames - done)
                appendFrames(from: base + done * channels, count: count)
                produce(into: &output, maximumFrames: Int.max, kernel: kernel)
                done += count
            }
        }
        return output
    }

    /// Ends the stream and returns the remaining output, interleaved.
    ///
    /// After this call the total number of output frames for the stream is exactly
    /// `round(totalInputFrames * outputRate / inputRate)` (halves round up), the tail having
    /// been computed as if the input were followed by silence. The resampler is then ready
    /// for a new, independent stream.
    public mutating func flush() -> [Float] {
        guard let kernel else { return [] }
        let target = Self.totalOutputFrames(
            inputFrames: inputFrames, upFactor: kernel.upFactor, downFactor: kernel.downFactor
        )
        var output: [Float] = []
        output.reserveCapacity(max(0, target - outputFrames) * channels)
        while outputFrames < target {
            // The tail needs at most one filter length of trailing silence; feeding it in
            // blocks keeps the same bounded history as the streaming path.
            appendFrames(from: nil, count: Self.blockFrames)
            produce(into: &output, maximumFrames: target - outputFrames, kernel: kernel)
        }
        resetStream()
        return output
    }

    /// `round(inputFrames * L / M)` with halves rounded up, in integers so it is exact.
    /// Splitting off whole multiples of `M` first keeps the intermediate product small enough
    /// not to overflow even for very long streams at coprime rates.
    static func totalOutputFrames(inputFrames: Int, upFactor: Int, downFactor: Int) -> Int {
        let (wholeCycles, remainder) = inputFrames.quotientAndRemainder(dividingBy: downFactor)
        return wholeCycles * upFactor + (2 * remainder * upFactor + downFactor) / (2 * downFactor)
    }

    private mutating func resetStream() {
        inputFrames = 0
        outputFrames = 0
        position = 0
        phase = 0
        guard let kernel else {
            history = []
            historyCapacity = 0
            historyStart = 0
            historyCount = 0
            scratch = []
            return
        }
        // The filter reaches `leadTaps` frames before frame 0; they are the implicit silence
        // that lets output frame 0 be centred on input frame 0 (no leading latency).
        historyCapacity = kernel.tapCount + Self.blockFrames
        history = [Float](repeating: 0, count: historyCapacity * channels)
        historyStart = -kernel.leadTaps
        historyCount = kernel.leadTaps
        scratch = kernel.isInterpolated ? [Float](repeating: 0, count: kernel.tapCount) : []
    }

    /// Appends `count` interleaved frames (or silence when `source` is nil) to the planar
    /// history, first discarding frames no future output can reach.
    private mutating func appendFrames(from source: UnsafePointer<Float>?, count: Int) {
        guard let kernel else { return }
        if historyCount + count > historyCapacity {
            discardConsumedHistory(kernel: kernel)
        }
        if historyCount + count > historyCapacity {
            // Only reachable if the bound above is wrong; growing keeps results correct.
            growHistory(to: historyCount + count)
        }
        let channels = self.channels
        let capacity = historyCapacity
        let writeOffset = historyCount
        history.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for channel in 0..<channels {
                let destination = base + channel * capacity + writeOffset
                if let source {
                    var read = source + channel
                    for frame in 0..<count {
                        destination[frame] = read.pointee
                        read += channels
                    }
                } else {
                    destination.update(repeating: 0, count: count)
                }
            }
        }
        historyCount += count
    }

    private mutating func discardConsumedHistory(kernel: PolyphaseKernel) {
        let firstNeeded = position - kernel.leadTaps
        let drop = min(max(0, firstNeeded - historyStart), historyCount)
        guard drop > 0 else { return }
        let keep = historyCount - drop
        let channels = self.channels
        let capacity = historyCapacity
        history.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for channel in 0..<channels {
                let start = base + channel * capacity
                // Destination precedes source, so a forward copy is safe despite the overlap.
                for index in 0..<keep {
                    start[index] = start[index + drop]
                }
            }
        }
        historyStart += drop
        historyCount = keep
    }

    private mutating func growHistory(to minimumCapacity: Int) {
        let newCapacity = max(minimumCapacity, historyCapacity * 2)
        var grown = [Float](repeating: 0, count: newCapacity * channels)
        for channel in 0..<channels {
            for index in 0..<historyCount {
                grown[channel * newCapacity + index] = history[channel * historyCapacity + index]
            }
        }
        history = grown
        historyCapacity = newCapacity
    }

    /// Emits every output frame whose full filter support is in the history, up to
    /// `maximumFrames`.
    ///
    /// Without a limit this never overshoots the stream's final total: a frame is only
    /// computable once the input extends at least half a filter (≥ 32 output frames) past it,
    /// and rounding the total can cost at most half a frame.
    private mutating func produce(into output: inout [Float], maximumFrames: Int, kernel: PolyphaseKernel) {
        let up = kernel.upFactor
        let down = kernel.downFactor
        // Largest `position` whose padded tap window still ends inside the history.
        let lastPosition = historyStart + historyCount - kernel.tapCount + kernel.leadTaps
        let slack = lastPosition - position
        guard slack >= 0, maximumFrames > 0 else { return }
        // Number of j >= 0 with floor((phase + j*M) / L) <= slack.
        let available = ((slack + 1) * up - phase + down - 1) / down
        let count = min(available, maximumFrames)
        guard count > 0 else { return }

        let channels = self.channels
        let writeStart = output.count
        output.append(contentsOf: repeatElement(0, count: count * channels))

        var state = KernelState(
            offset: position - kernel.leadTaps - historyStart,
            phase: phase
        )
        let capacity = historyCapacity
        output.withUnsafeMutableBufferPointer { outputBuffer in
            history.withUnsafeBufferPointer { historyBuffer in
                scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                    kernel.coefficients.withUnsafeBufferPointer { coefficientBuffer in
                        guard let outputBase = outputBuffer.baseAddress,
                              let historyBase = historyBuffer.baseAddress,
                              let coefficientBase = coefficientBuffer.baseAddress
                        else { return }
                        Self.render(
                            count: count,
                            into: outputBase + writeStart,
                            history: historyBase,
                            historyCapacity: capacity,
                            channels: channels,
                            coefficients: coefficientBase,
                            scratch: scratchBuffer.baseAddress,
                            kernel: kernel,
                            state: &state
                        )
                    }
                }
            }
        }
        position = historyStart + state.offset + kernel.leadTaps
        phase = state.phase
        outputFrames += count
    }

    private struct KernelState {
        /// History offset of the first tap of the next output frame.
        var offset: Int
        var phase: Int
    }

    /// The hot loop, kept free of `self` so nothing in it can trigger a copy or allocation.
    @inline(__always)
    private static func render(
        count: Int,
        into output: UnsafeMutablePointer<Float>,
        history: UnsafePointer<Float>,
        historyCapacity: Int,
        channels: Int,
        coefficients: UnsafePointer<Float>,
        scratch: UnsafeMutablePointer<Float>?,
        kernel: PolyphaseKernel,
        state: inout KernelState
    ) {
        let taps = kernel.tapCount
        let up = kernel.upFactor
        let stepWhole = kernel.stepWhole
        let stepFraction = kernel.stepFraction
        let rowScale = Double(kernel.rowCount - 1) / Double(up)
        var offset = state.offset
        var phase = state.phase
        var write = output
        for _ in 0..<count {
            let row: UnsafePointer<Float>
            if kernel.isInterpolated, let scratch {
                // Time falls between two tabulated phases: blend them once per frame so
                // every channel reuses the same coefficients.
                let exact = Double(phase) * rowScale
                let lower = min(Int(exact), kernel.rowCount - 2)
                let weight = Float(exact - Double(lower))
                blend(coefficients + lower * taps, coefficients + (lower + 1) * taps, weight, into: scratch, count: taps)
                row = UnsafePointer(scratch)
            } else {
                row = coefficients + phase * taps
            }
            var channelHistory = history + offset
            for channel in 0..<channels {
                write[channel] = dot(row, channelHistory, count: taps)
                channelHistory += historyCapacity
            }
            write += channels
            offset += stepWhole
            phase += stepFraction
            if phase >= up {
                phase -= up
                offset += 1
            }
        }
        state.offset = offset
        state.phase = phase
    }

    /// `count` must be a multiple of 8 (the kernel pads its rows to guarantee it).
    @inline(__always)
    private static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        let rawA = UnsafeRawPointer(a)
        let rawB = UnsafeRawPointer(b)
        // Two accumulators hide the add latency; plain multiply-add rather than
        // `addingProduct` because without a guaranteed FMA unit that becomes a libm call.
        var sum0 = SIMD8<Float>()
        var sum1 = SIMD8<Float>()
        var byte = 0
        let end = count * MemoryLayout<Float>.stride
        let vector = MemoryLayout<SIMD8<Float>>.stride
        while byte + 2 * vector <= end {
            sum0 += rawA.loadUnaligned(fromByteOffset: byte, as: SIMD8<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: byte, as: SIMD8<Float>.self)
            sum1 += rawA.loadUnaligned(fromByteOffset: byte + vector, as: SIMD8<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: byte + vector, as: SIMD8<Float>.self)
            byte += 2 * vector
        }
        if byte < end {
            sum0 += rawA.loadUnaligned(fromByteOffset: byte, as: SIMD8<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: byte, as: SIMD8<Float>.self)
        }
        return (sum0 + sum1).sum()
    }

    @inline(__always)
    private static func blend(
        _ lower: UnsafePointer<Float>,
        _ upper: UnsafePointer<Float>,
        _ weight: Float,
        into destination: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        let rawLower = UnsafeRawPointer(lower)
        let rawUpper = UnsafeRawPointer(upper)
        let rawDestination = UnsafeMutableRawPointer(destination)
        let vector = MemoryLayout<SIMD8<Float>>.stride
        let weights = SIMD8<Float>(repeating: weight)
        var byte = 0
        let end = count * MemoryLayout<Float>.stride
        while byte < end {
            let a = rawLower.loadUnaligned(fromByteOffset: byte, as: SIMD8<Float>.self)
            let b = rawUpper.loadUnaligned(fromByteOffset: byte, as: SIMD8<Float>.self)
            rawDestination.storeBytes(of: a + (b - a) * weights, toByteOffset: byte, as: SIMD8<Float>.self)
            byte += vector
        }
    }
}

/// Precomputed polyphase coefficients for one rate pair.
///
/// Row `r` holds the taps for an output time `r / rows` of an input frame past the anchor
/// frame. When the reduced output factor `L` is small every possible phase gets its own row
/// (exact); otherwise a fixed grid of rows is tabulated and neighbouring rows are blended
/// linearly, which keeps the table small for awkward pairs such as 7919 → 48000.
private struct PolyphaseKernel: Sendable {
    /// Output/input ratio reduced to lowest terms: `outputRate / inputRate == upFactor / downFactor`.
    let upFactor: Int
    let downFactor: Int
    /// Per output frame the time advances by `stepWhole + stepFraction / upFactor` input frames.
    let stepWhole: Int
    let stepFraction: Int
    /// Frames the filter reaches before the anchor frame.
    let leadTaps: Int
    /// Taps per row, padded with zeros to a multiple of 8 for the SIMD dot product.
    let tapCount: Int
    let rowCount: Int
    let isInterpolated: Bool
    let coefficients: [Float]

    /// Half the filter span measured in samples of the *lower* rate. 32 with β = 10 puts the
    /// stopband (≈ −100 dB) at the lower Nyquist with the −6 dB point at 0.9 of it.
    static let halfWidthInLowerRateSamples = 32.0
    /// Cutoff as a fraction of the lower Nyquist frequency.
    static let cutoffFraction = 0.9
    static let kaiserBeta = 10.0
    /// Above this many exact phases the table would be large; interpolate on a grid instead.
    /// 512 rows keep linear-interpolation error far below the filter's own stopband.
    static let interpolatedPhases = 512

    init(inputRate: Int, outputRate: Int) {
        let divisor = Self.greatestCommonDivisor(inputRate, outputRate)
        upFactor = outputRate / divisor
        downFactor = inputRate / divisor
        stepWhole = downFactor / upFactor
        stepFraction = downFactor % upFactor

        // Downsampling stretches the kernel in input time so the cutoff lands on the output
        // Nyquist; upsampling keeps it at the input Nyquist.
        let scale = min(1.0, Double(upFactor) / Double(downFactor))
        let cutoff = Self.cutoffFraction * scale
        let halfWidth = Self.halfWidthInLowerRateSamples / scale
        let reach = Int(halfWidth.rounded(.up))
        leadTaps = reach - 1
        let realTaps = 2 * reach
        tapCount = (realTaps + 7) / 8 * 8

        isInterpolated = upFactor > Self.interpolatedPhases
        // The interpolated grid needs the phase-1.0 row as the upper neighbour of the last one.
        rowCount = isInterpolated ? Self.interpolatedPhases + 1 : upFactor
        let rowPhaseDenominator = Double(isInterpolated ? Self.interpolatedPhases : upFactor)

        var table = [Float](repeating: 0, count: rowCount * tapCount)
        let windowNormalizer = 1.0 / Self.besselI0(Self.kaiserBeta)
        var row = [Double](repeating: 0, count: realTaps)
        for rowIndex in 0..<rowCount {
            let fraction = Double(rowIndex) / rowPhaseDenominator
            var sum = 0.0
            for tap in 0..<realTaps {
                // Distance from this tap's input frame to the output time.
                let distance = fraction + Double(leadTaps - tap)
                let value = Self.windowedSinc(
                    distance: distance, cutoff: cutoff, halfWidth: halfWidth, windowNormalizer: windowNormalizer
                )
                row[tap] = value
                sum += value
            }
            // Unity DC gain per phase: otherwise the tiny per-phase gain differences would
            // modulate a constant signal at the phase-cycle rate.
            let gain = sum != 0 ? 1.0 / sum : 1.0
            for tap in 0..<realTaps {
                table[rowIndex * tapCount + tap] = Float(row[tap] * gain)
            }
        }
        coefficients = table
    }

    private static func windowedSinc(
        distance: Double, cutoff: Double, halfWidth: Double, windowNormalizer: Double
    ) -> Double {
        let relative = distance / halfWidth
        guard abs(relative) < 1 else { return 0 }
        let argument = Double.pi * cutoff * distance
        let sinc = abs(argument) < 1e-12 ? 1.0 : sin(argument) / argument
        let window = besselI0(kaiserBeta * (1 - relative * relative).squareRoot()) * windowNormalizer
        return cutoff * sinc * window
    }

    /// Modified Bessel function of the first kind, order 0, by its power series (converges
    /// quickly for the β values used here).
    private static func besselI0(_ x: Double) -> Double {
        let quarterSquare = x * x / 4
        var term = 1.0
        var sum = 1.0
        var k = 1.0
        while k < 500 {
            term *= quarterSquare / (k * k)
            sum += term
            if term < sum * 1e-17 { break }
            k += 1
        }
        return sum
    }

    private static func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
        var x = a
        var y = b
        while y != 0 {
            (x, y) = (y, x % y)
        }
        return x
    }
}
