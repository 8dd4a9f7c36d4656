/// Pure sample math used by `audio::mixer`: channel layout conversion, a per-input sample
/// queue, and the limiter that keeps a mix inside [-1, 1]. Nothing here knows about pins or
/// packets, so it can be tested on plain arrays.
enum MixChannels {
    /// Converts interleaved samples from `inputChannels` to `outputChannels`.
    ///
    /// - mono → n: the one channel is copied to every output channel;
    /// - stereo → mono: the average of left and right (so a centred source keeps its level);
    /// - anything else: output channel `k` takes input channel `k % inputChannels`, i.e. channels
    ///   are repeated cyclically when widening and the first ones are kept when narrowing.
    ///
    /// A trailing partial frame (fewer samples than `inputChannels`) is dropped.
    static func convert(_ samples: [Float], from inputChannels: Int, to outputChannels: Int) -> [Float] {
        guard inputChannels > 0, outputChannels > 0 else { return [] }
        if inputChannels == outputChannels {
            let whole = samples.count - samples.count % inputChannels
            return whole == samples.count ? samples : Array(samples[0..<whole])
        }
        let frames = samples.count / inputChannels
        var output = [Float](repeating: 0, count: frames * outputChannels)
        samples.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                if inputChannels == 1 {
                    for frame in 0..<frames {
                        let value = source[frame]
                        let base = frame * outputChannels
                        for channel in 0..<outputChannels { target[base + channel] = value }
                    }
                } else if inputChannels == 2 && outputChannels == 1 {
                    for frame in 0..<frames {
                        target[frame] = (source[2 * frame] + source[2 * frame + 1]) * 0.5
                    }
                } else {
                    for frame in 0..<frames {
                        let inBase = frame * inputChannels
                        let outBase = frame * outputChannels
                        for channel in 0..<outputChannels {
                            target[outBase + channel] = source[inBase + channel % inputChannels]
                        }
                    }
                }
            }
        }
        return output
    }
}

/// A FIFO of interleaved samples for one mixer input, read from the front by whole frames.
///
/// Reading advances an index instead of shifting the array; the consumed prefix is dropped
/// once it is at least half of the storage, so appends and reads stay amortised O(1).
struct MixSampleQueue {
    /// Channels of the stored samples (the mixer's output layout).
    private(set) var channels: Int
    private var storage: [Float] = []
    private var head = 0

    init(channels: Int) {
        self.channels = max(1, channels)
    }

    /// Frames (samples per channel) waiting.
    var frames: Int { (storage.count - head) / channels }

    var isEmpty: Bool { storage.count == head }

    /// Appends interleaved samples already in this queue's layout.
    mutating func append(_ samples: [Float]) {
        if isEmpty {
            // Reuse the incoming buffer when nothing is pending: no copy at all.
            storage = samples
            head = 0
        } else {
            storage.append(contentsOf: samples)
        }
    }

    /// Adds the first `count` frames into `output` (which holds at least `count` frames in the
    /// same layout) and removes them from the queue.
    mutating func mix(into output: inout [Float], frames count: Int) {
        let sampleCount = min(count, frames) * channels
        guard sampleCount > 0 else { return }
        let start = head
        storage.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for index in 0..<sampleCount { target[index] += source[start + index] }
            }
        }
        head += sampleCount
        compact()
    }

    /// Re-lays the pending samples out for a new channel count (when the mix widens).
    mutating func changeLayout(to newChannels: Int) {
        let newChannels = max(1, newChannels)
        guard newChannels != channels else { return }
        let pending = Array(storage[head...])
        storage = MixChannels.convert(pending, from: channels, to: newChannels)
        head = 0
        channels = newChannels
    }

    private mutating func compact() {
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 4096 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
    }
}

/// Keeps a mix inside [-1, 1] without touching mixes that already fit.
///
/// Why a gain limiter rather than a per-sample curve (tanh, soft knee): a static curve that
/// leaves every |x| ≤ 1 unchanged can only map |x| > 1 to exactly ±1, which is hard clipping.
/// Instead, each frame that would exceed 1 gets the gain that brings its loudest channel to 1;
/// the gain is shared by all channels (the stereo image stays put), it moves down ahead of a
/// peak within the block (a short look-ahead attack, so the gain does not jump) and comes back
/// up slowly (release), so the signal is turned down smoothly instead of being squared off.
///
/// Once the gain is back at exactly 1 and a block stays within [-1, 1], the block is returned
/// untouched: mixing a signal with silence yields the signal bit for bit.
struct MixLimiter {
    /// The gain applied at the end of the last block (1 = idle).
    private(set) var gain: Float = 1
    /// How much the gain may fall per frame, walking backwards from a peak.
    private let attackStep: Float
    /// How much the gain may rise per frame after a peak.
    private let releaseStep: Float

    /// - Parameters:
    ///   - attackMilliseconds: time for the gain to fall from 1 to 0 ahead of a peak (it
    ///     usually falls much less, so the ramp is shorter).
    ///   - releaseMilliseconds: time for the gain to rise from 0 to 1 once peaks stop.
    init(sampleRate: Int, attackMilliseconds: Double = 2, releaseMilliseconds: Double = 100) {
        let rate = Double(max(1, sampleRate))
        attackStep = Float(1 / max(1, attackMilliseconds * rate / 1000))
        releaseStep = Float(1 / max(1, releaseMilliseconds * rate / 1000))
    }

    /// Limits interleaved `samples` in place.
    mutating func process(_ samples: inout [Float], channels: Int) {
        let channels = max(1, channels)
        let frames = samples.count / channels
        guard frames > 0 else { return }
        if gain == 1 && Self.peak(samples) <= 1 { return }

        // The gain each frame needs so that its loudest channel lands on 1.
        var gains = [Float](repeating: 1, count: frames)
        samples.withUnsafeBufferPointer { source in
            for frame in 0..<frames {
                var loudest: Float = 0
                let base = frame * channels
                for channel in 0..<channels {
                    let magnitude = abs(source[base + channel])
                    if magnitude > loudest || magnitude.isNaN { loudest = magnitude.isNaN ? .infinity : magnitude }
                }
                if loudest > 1 { gains[frame] = 1 / loudest }
            }
        }
        // Release: rise at most `releaseStep` per frame from where the last block ended.
        var previous = gain
        for frame in 0..<frames {
            let next = min(gains[frame], previous + releaseStep)
            gains[frame] = next
            previous = next
        }
        // Attack: walking back from each dip, fall at most `attackStep` per frame, so the gain
        // is already low when the peak arrives. Only lowers gains, so no frame exceeds 1.
        if frames > 1 {
            for frame in stride(from: frames - 2, through: 0, by: -1) {
                gains[frame] = min(gains[frame], gains[frame + 1] + attackStep)
            }
        }
        gain = gains[frames - 1]

        samples.withUnsafeMutableBufferPointer { target in
            for frame in 0..<frames {
                let factor = gains[frame]
                let base = frame * channels
                for channel in 0..<channels {
                    let value = target[base + channel] * factor
                    // The clamp only absorbs rounding (x · 1/x may land a hair above 1) and
                    // turns NaN (from ∞ · 0) into silence.
                    target[base + channel] = value.isNaN ? 0 : min(1, max(-1, value))
                }
            }
        }
    }

    private static func peak(_ samples: [Float]) -> Float {
        var peak: Float = 0
        for sample in samples {
            let magnitude = abs(sample)
            if magnitude > peak { peak = magnitude } else if magnitude.isNaN { return .infinity }
        }
        return peak
    }
}
