import Foundation
import StreamKitCore
import StreamKitEngine
import Testing
@testable import StreamKitNodes

@Suite("audio::resampler")
struct ResamplerNodeTests {
    /// round(frames × out / in) with halves up, in integers (independent of the node's arithmetic).
    private static func expectedFrames(_ frames: Int, from inputRate: Int, to outputRate: Int) -> Int {
        (2 * frames * outputRate + inputRate) / (2 * inputRate)
    }

    private static func resample(_ packets: [Packet], _ params: JSONValue) async throws -> [Packet] {
        let run = await NodeHarness.run(try makeNode(ResamplerNode.definition, params), feeding: packets)
        try run.result.get()
        return run.outputs
    }

    @Test func downAndBackUpKeepsSixtyDecibelsSNR() async throws {
        let rate = 48_000
        let frames = 24_000  // 0.5 s
        let original = Signal.sine(frequency: 1000, sampleRate: rate, frames: frames, amplitude: 0.5)
        let down = try await Self.resample(audioPackets(original, rate: rate, channels: 1, framesPerPacket: 960),
                                           ["target_sample_rate": 16_000])
        #expect(down.allSatisfy { $0.audioFrame?.sampleRate == 16_000 && $0.audioFrame?.channels == 1 })
        #expect(allSamples(down).count == frames / 3)
        let up = try await Self.resample(down, ["target_sample_rate": 48_000])
        let restored = allSamples(up)
        try #require(restored.count == original.count)
        #expect(up.allSatisfy { $0.audioFrame?.sampleRate == 48_000 })

        let skip = rate / 20  // 50 ms at each end
        var signal = 0.0
        var noise = 0.0
        for index in skip..<(frames - skip) {
            let reference = Double(original[index])
            signal += reference * reference
            noise += (reference - Double(restored[index])) * (reference - Double(restored[index]))
        }
        let snr = 10 * log10(signal / max(noise, 1e-30))
        #expect(snr >= 60, "SNR \(snr) dB")
    }

    @Test(arguments: [
        (inputRate: 48_000, outputRate: 16_000, inputFrames: 10_007, frameSize: 480),
        (inputRate: 44_100, outputRate: 48_000, inputFrames: 13_231, frameSize: 960),
        (inputRate: 16_000, outputRate: 48_000, inputFrames: 4_001, frameSize: 240),
        (inputRate: 48_000, outputRate: 44_100, inputFrames: 9_999, frameSize: 120),
    ])
    func outputIsFramedExactlyAndHasTheRightLength(inputRate: Int, outputRate: Int, inputFrames: Int, frameSize: Int) async throws {
        let input = Signal.sine(frequency: 440, sampleRate: inputRate, channels: 2, frames: inputFrames)
        // Odd input packet sizes, unrelated to the output frame size.
        let packets = audioPackets(input, rate: inputRate, channels: 2, framesPerPacket: 331)
        let outputs = try await Self.resample(packets, ["target_sample_rate": .number(Double(outputRate)), "output_frame_size": .number(Double(frameSize))])
        let frames = outputs.compactMap(\.audioFrame)
        #expect(frames.count == outputs.count)
        try #require(!frames.isEmpty)
        for frame in frames.dropLast() {
            #expect(frame.frameCount == frameSize)
            #expect(frame.channels == 2)
            #expect(frame.sampleRate == outputRate)
        }
        let last = try #require(frames.last)
        #expect(last.frameCount >= 1 && last.frameCount <= frameSize)
        let total = frames.reduce(0) { $0 + $1.frameCount }
        #expect(total == Self.expectedFrames(inputFrames, from: inputRate, to: outputRate))
    }

    @Test func monoTargetAveragesStereoChannels() async throws {
        let frames = 4800
        let left = Signal.sine(frequency: 300, sampleRate: 48_000, frames: frames, amplitude: 0.6)
        let right = Signal.sine(frequency: 1700, sampleRate: 48_000, frames: frames, amplitude: 0.3)
        var stereo = [Float](repeating: 0, count: 2 * frames)
        for index in 0..<frames {
            stereo[2 * index] = left[index]
            stereo[2 * index + 1] = right[index]
        }
        // Same rate: only the channel conversion acts, so the average is exact.
        let outputs = try await Self.resample(audioPackets(stereo, rate: 48_000, channels: 2, framesPerPacket: 500),
                                              ["target_sample_rate": 48_000, "channels": 1])
        #expect(outputs.allSatisfy { $0.audioFrame?.channels == 1 })
        let mono = allSamples(outputs)
        try #require(mono.count == frames)
        var worst: Float = 0
        for index in 0..<frames {
            let average: Float = (left[index] + right[index]) / 2
            worst = max(worst, abs(mono[index] - average))
        }
        #expect(worst <= 1e-7, "worst deviation \(worst)")
        // And through an actual rate change the mix still averages: RMS of the average of two
        // uncorrelated sines is sqrt((0.6² + 0.3²) / 8).
        let resampled = allSamples(try await Self.resample(audioPackets(stereo, rate: 48_000, channels: 2, framesPerPacket: 500),
                                                           ["target_sample_rate": 16_000, "channels": 1]))
        #expect(resampled.count == frames / 3)
        let expectedRMS = ((0.36 + 0.09) / 8).squareRoot()
        let measured = Signal.rms(Array(resampled[160..<(resampled.count - 160)]))
        #expect(abs(measured - expectedRMS) / expectedRMS < 0.01, "rms \(measured) vs \(expectedRMS)")
    }

    @Test func timestampsAndSequenceAreContinuous() async throws {
        let startUs: UInt64 = 5_000_000
        let input = Signal.sine(frequency: 440, sampleRate: 48_000, frames: 14_400)  // 300 ms
        let packets = audioPackets(input, rate: 48_000, channels: 1, framesPerPacket: 700, startUs: startUs)
        let frames = try await Self.resample(packets, ["target_sample_rate": 16_000, "output_frame_size": 480]).compactMap(\.audioFrame)
        #expect(frames.count == 10)  // 4800 frames = 10 × 480
        var framesBefore: UInt64 = 0
        for (index, frame) in frames.enumerated() {
            let metadata = try #require(frame.metadata)
            #expect(metadata.sequence == UInt64(index))
            #expect(metadata.timestampUs == startUs + framesBefore * 1_000_000 / 16_000)
            #expect(metadata.durationUs == UInt64(frame.frameCount) * 1_000_000 / 16_000)
            framesBefore += UInt64(frame.frameCount)
        }
        // Each frame starts where the previous one ended (480 frames at 16 kHz = 30 ms).
        for (previous, next) in zip(frames, frames.dropFirst()) {
            let end = (previous.metadata?.timestampUs ?? 0) + (previous.metadata?.durationUs ?? 0)
            #expect(next.metadata?.timestampUs == end)
        }
    }

    @Test func midStreamFormatChangeKeepsBothParts() async throws {
        let first = Signal.sine(frequency: 440, sampleRate: 48_000, frames: 9_600)  // 200 ms mono
        let second = Signal.sine(frequency: 440, sampleRate: 44_100, channels: 2, frames: 8_820)  // 200 ms stereo
        let packets = audioPackets(first, rate: 48_000, channels: 1, framesPerPacket: 960)
            + audioPackets(second, rate: 44_100, channels: 2, framesPerPacket: 882)
        let harnessRun = await NodeHarness.run(try makeNode(ResamplerNode.definition, ["target_sample_rate": 16_000, "output_frame_size": 480]), feeding: packets)
        #expect(throws: Never.self) { try harnessRun.result.get() }
        let frames = harnessRun.outputs.compactMap(\.audioFrame)
        #expect(frames.allSatisfy { $0.sampleRate == 16_000 })
        let monoFrames = frames.prefix { $0.channels == 1 }
        let stereoFrames = frames.dropFirst(monoFrames.count)
        #expect(stereoFrames.allSatisfy { $0.channels == 2 })
        #expect(monoFrames.reduce(0) { $0 + $1.frameCount } == Self.expectedFrames(9_600, from: 48_000, to: 16_000))
        #expect(stereoFrames.reduce(0) { $0 + $1.frameCount } == Self.expectedFrames(8_820, from: 44_100, to: 16_000))
        // Both parts carry signal (not silence) and the sequence keeps counting across the change.
        #expect(Signal.rms(monoFrames.flatMap(\.samples)) > 0.3)
        #expect(Signal.rms(stereoFrames.flatMap(\.samples)) > 0.3)
        #expect(frames.map { $0.metadata?.sequence } == (0..<frames.count).map { UInt64($0) })
    }
}
