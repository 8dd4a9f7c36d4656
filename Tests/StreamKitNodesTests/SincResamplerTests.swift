import Foundation
import Testing
@testable import StreamKitNodes

/// Deterministic generator so chunk splits and noise are reproducible across runs.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Interleaved sine; channel `c` uses `frequencies[c]`.
private func sine(frequencies: [Double], rate: Int, frames: Int, amplitude: Double = 0.5) -> [Float] {
    let channels = frequencies.count
    var samples = [Float](repeating: 0, count: frames * channels)
    for frame in 0..<frames {
        for channel in 0..<channels {
            let time = Double(frame) / Double(rate)
            samples[frame * channels + channel] = Float(amplitude * sin(2 * Double.pi * frequencies[channel] * time))
        }
    }
    return samples
}

private func channel(_ samples: [Float], _ index: Int, of channels: Int) -> [Float] {
    stride(from: index, to: samples.count, by: channels).map { samples[$0] }
}

/// Signal-to-error ratio in dB over `reference[skip ..< count - skip]`.
private func snr(reference: [Float], measured: [Float], skip: Int) -> Double {
    precondition(reference.count == measured.count && reference.count > 2 * skip)
    var signal = 0.0
    var noise = 0.0
    for index in skip..<(reference.count - skip) {
        let r = Double(reference[index])
        let e = Double(measured[index]) - r
        signal += r * r
        noise += e * e
    }
    return 10 * log10(signal / max(noise, 1e-300))
}

private func rms(_ samples: [Float], skip: Int) -> Double {
    var sum = 0.0
    for index in skip..<(samples.count - skip) {
        sum += Double(samples[index]) * Double(samples[index])
    }
    return (sum / Double(samples.count - 2 * skip)).squareRoot()
}

/// Runs a whole stream through a fresh resampler, split at the given frame counts (the
/// remainder goes in one last call).
private func resample(
    _ input: [Float], from inputRate: Int, to outputRate: Int, channels: Int, chunkFrames: [Int] = []
) throws -> [Float] {
    var resampler = try SincResampler(inputRate: inputRate, outputRate: outputRate, channels: channels)
    var output: [Float] = []
    var start = 0
    for frames in chunkFrames {
        let end = min(input.count, start + frames * channels)
        output += resampler.process(Array(input[start..<end]))
        start = end
    }
    output += resampler.process(Array(input[start...]))
    output += resampler.flush()
    return output
}

private func randomChunks(totalFrames: Int, seed: UInt64) -> [Int] {
    var generator = SplitMix64(state: seed)
    var chunks: [Int] = []
    var covered = 0
    while covered < totalFrames {
        let size: Int
        switch Int.random(in: 0..<6, using: &generator) {
        case 0: size = 0
        case 1: size = 1
        case 2: size = Int.random(in: 2...17, using: &generator)
        case 3: size = Int.random(in: 100...1000, using: &generator)
        default: size = Int.random(in: 1000...9000, using: &generator)
        }
        chunks.append(size)
        covered += size
    }
    return chunks
}

private func expectedFrames(_ inputFrames: Int, _ inputRate: Int, _ outputRate: Int) -> Int {
    // round(n * out / in) with halves up, exactly.
    (2 * inputFrames * outputRate + inputRate) / (2 * inputRate)
}

@Suite("SincResampler")
struct SincResamplerTests {
    @Test func rejectsNonPositiveConfiguration() {
        #expect(throws: SincResampler.ConfigurationError.self) {
            _ = try SincResampler(inputRate: 0, outputRate: 48000, channels: 2)
        }
        #expect(throws: SincResampler.ConfigurationError.self) {
            _ = try SincResampler(inputRate: 48000, outputRate: -1, channels: 2)
        }
        let error = #expect(throws: SincResampler.ConfigurationError.self) {
            _ = try SincResampler(inputRate: 48000, outputRate: 44100, channels: 0)
        }
        #expect(error?.message.contains("channels") == true)
        let valid = try? SincResampler(inputRate: 7919, outputRate: 48000, channels: 1)
        #expect(valid?.inputRate == 7919)
        #expect(valid?.outputRate == 48000)
        #expect(valid?.channels == 1)
    }

    @Test func equalRatesPassThroughBitExact() throws {
        var generator = SplitMix64(state: 7)
        var input = (0..<(2 * 5000)).map { _ in Float.random(in: -1...1, using: &generator) }
        input[0] = -0.0
        input[1] = .leastNonzeroMagnitude
        input[2] = 123_456.78
        let output = try resample(
            input, from: 44100, to: 44100, channels: 2, chunkFrames: randomChunks(totalFrames: 5000, seed: 3)
        )
        #expect(output.map(\.bitPattern) == input.map(\.bitPattern))

        var resampler = try SincResampler(inputRate: 48000, outputRate: 48000, channels: 2)
        // A trailing partial frame (odd sample count for stereo) is dropped, not emitted.
        #expect(resampler.process([1, 2, 3]).map(\.bitPattern) == [Float(1), 2].map(\.bitPattern))
        #expect(resampler.flush().isEmpty)
    }

    @Test(arguments: [
        (44100, 48000), (48000, 44100), (48000, 16000), (16000, 48000), (7919, 48000),
        (48000, 7919), (8000, 192000), (192000, 8000), (22050, 44100), (3, 2),
    ])
    func totalFrameCountIsRoundedRatio(rates: (Int, Int)) throws {
        let (inputRate, outputRate) = rates
        for frames in [0, 1, 2, 3, 5, 100, 1001, 10007] {
            let input = [Float](repeating: 0.25, count: frames * 2)
            let whole = try resample(input, from: inputRate, to: outputRate, channels: 2)
            #expect(whole.count == 2 * expectedFrames(frames, inputRate, outputRate), "\(inputRate)->\(outputRate) n=\(frames)")
            let chunked = try resample(
                input, from: inputRate, to: outputRate, channels: 2,
                chunkFrames: randomChunks(totalFrames: frames, seed: UInt64(frames))
            )
            #expect(chunked.count == whole.count)
        }
    }

    @Test(arguments: [(44100, 48000), (48000, 16000), (7919, 48000), (48000, 44100), (192000, 8000)])
    func outputDoesNotDependOnChunking(rates: (Int, Int)) throws {
        let (inputRate, outputRate) = rates
        let frames = 20011
        var generator = SplitMix64(state: 99)
        var input = sine(frequencies: [440, 3000], rate: inputRate, frames: frames)
        for index in input.indices {
            input[index] += Float.random(in: -0.1...0.1, using: &generator)
        }
        let whole = try resample(input, from: inputRate, to: outputRate, channels: 2)
        for seed in [1, 2, 3] as [UInt64] {
            let chunked = try resample(
                input, from: inputRate, to: outputRate, channels: 2,
                chunkFrames: randomChunks(totalFrames: frames, seed: seed)
            )
            #expect(chunked.map(\.bitPattern) == whole.map(\.bitPattern), "seed \(seed)")
        }
        let singleFrames = try resample(
            input, from: inputRate, to: outputRate, channels: 2,
            chunkFrames: [Int](repeating: 1, count: frames)
        )
        #expect(singleFrames.map(\.bitPattern) == whole.map(\.bitPattern))
    }

    @Test func partialTrailingFrameIsIgnored() throws {
        let input = sine(frequencies: [1000, 500], rate: 44100, frames: 3000)
        var clean = try SincResampler(inputRate: 44100, outputRate: 48000, channels: 2)
        var ragged = try SincResampler(inputRate: 44100, outputRate: 48000, channels: 2)
        let expected = clean.process(input) + clean.flush()
        let actual = ragged.process(input + [0.9]) + ragged.flush()
        #expect(actual == expected)
    }

    @Test func roundTrip48kTo16kAndBackKeepsTone() throws {
        let original = sine(frequencies: [1000], rate: 48000, frames: 48000)
        let down = try resample(original, from: 48000, to: 16000, channels: 1)
        #expect(down.count == 16000)
        let back = try resample(down, from: 16000, to: 48000, channels: 1)
        #expect(back.count == original.count)
        let measured = snr(reference: original, measured: back, skip: 2400)
        print("SNR 48k -> 16k -> 48k, 1 kHz: \(measured) dB")
        #expect(measured >= 80)
    }

    @Test(arguments: [(44100, 48000), (48000, 44100), (48000, 16000), (16000, 48000), (7919, 48000), (48000, 7919)])
    func toneMatchesIdealSineAtNewRate(rates: (Int, Int)) throws {
        let (inputRate, outputRate) = rates
        let input = sine(frequencies: [1000], rate: inputRate, frames: inputRate)
        let output = try resample(input, from: inputRate, to: outputRate, channels: 1)
        #expect(output.count == outputRate)
        // Output frame k is input time k / outputRate seconds, so the ideal is the same sine
        // sampled at the new rate with no delay.
        let ideal = sine(frequencies: [1000], rate: outputRate, frames: outputRate)
        let measured = snr(reference: ideal, measured: output, skip: outputRate / 20)
        print("SNR \(inputRate) -> \(outputRate), 1 kHz vs ideal: \(measured) dB")
        #expect(measured >= 80)
    }

    @Test func downsamplingRejectsAliases() throws {
        let input = sine(frequencies: [10000], rate: 48000, frames: 48000)
        let output = try resample(input, from: 48000, to: 16000, channels: 1)
        let attenuation = 20 * log10(rms(output, skip: 800) / rms(input, skip: 2400))
        print("10 kHz tone 48k -> 16k: \(attenuation) dB")
        #expect(attenuation <= -50)

        // Just above the output Nyquist (8 kHz) must still be well suppressed.
        let nearNyquist = sine(frequencies: [8400], rate: 48000, frames: 48000)
        let nearOutput = try resample(nearNyquist, from: 48000, to: 16000, channels: 1)
        let nearAttenuation = 20 * log10(rms(nearOutput, skip: 800) / rms(nearNyquist, skip: 2400))
        print("8.4 kHz tone 48k -> 16k: \(nearAttenuation) dB")
        #expect(nearAttenuation <= -50)
    }

    @Test func channelsStayIndependentAndOrdered() throws {
        let frequencies = [500.0, 1000, 2000]
        let input = sine(frequencies: frequencies, rate: 44100, frames: 44100)
        let output = try resample(input, from: 44100, to: 48000, channels: 3)
        #expect(output.count == 3 * 48000)
        for (index, frequency) in frequencies.enumerated() {
            let ideal = sine(frequencies: [frequency], rate: 48000, frames: 48000)
            let measured = snr(reference: ideal, measured: channel(output, index, of: 3), skip: 2400)
            #expect(measured >= 80, "channel \(index)")
        }
    }

    @Test func impulseStaysTimeAligned() throws {
        var up = [Float](repeating: 0, count: 4000)
        up[1000] = 1
        let upOutput = try resample(up, from: 16000, to: 48000, channels: 1)
        let upPeak = upOutput.indices.max { upOutput[$0] < upOutput[$1] }
        #expect(upPeak == 3000)
        // A zero-phase kernel responds symmetrically around the impulse.
        for distance in 1...60 {
            #expect(abs(upOutput[3000 + distance] - upOutput[3000 - distance]) < 1e-6)
        }

        var down = [Float](repeating: 0, count: 12000)
        down[3000] = 1
        let downOutput = try resample(down, from: 48000, to: 16000, channels: 1)
        let downPeak = downOutput.indices.max { downOutput[$0] < downOutput[$1] }
        #expect(downPeak == 1000)
    }

    @Test func flushStartsAFreshStream() throws {
        let input = sine(frequencies: [1000, 250], rate: 44100, frames: 5000)
        var resampler = try SincResampler(inputRate: 44100, outputRate: 48000, channels: 2)
        let first = resampler.process(input) + resampler.flush()
        let second = resampler.process(input) + resampler.flush()
        #expect(first.count == 2 * expectedFrames(5000, 44100, 48000))
        #expect(second == first)
    }

    @Test func randomRatePairsKeepExactCountAndChunkIndependence() throws {
        var generator = SplitMix64(state: 2024)
        for _ in 0..<12 {
            let inputRate = Int.random(in: 8000...192_000, using: &generator)
            let outputRate = Int.random(in: 8000...192_000, using: &generator)
            let frames = Int.random(in: 0...6000, using: &generator)
            let input = sine(frequencies: [300], rate: inputRate, frames: frames)
            let whole = try resample(input, from: inputRate, to: outputRate, channels: 1)
            #expect(whole.count == expectedFrames(frames, inputRate, outputRate), "\(inputRate)->\(outputRate) n=\(frames)")
            let chunked = try resample(
                input, from: inputRate, to: outputRate, channels: 1,
                chunkFrames: randomChunks(totalFrames: frames, seed: UInt64(inputRate))
            )
            #expect(chunked.map(\.bitPattern) == whole.map(\.bitPattern), "\(inputRate)->\(outputRate)")
        }
    }

    @Test func longStreamKeepsExactFrameCount() throws {
        // Many odd-sized calls: the rational position must not drift over a long stream.
        var resampler = try SincResampler(inputRate: 44100, outputRate: 48000, channels: 1)
        let chunk = [Float](repeating: 0.1, count: 997)
        var produced = 0
        for _ in 0..<500 {
            produced += resampler.process(chunk).count
        }
        produced += resampler.flush().count
        #expect(produced == expectedFrames(997 * 500, 44100, 48000))
    }
}
