import Foundation
import StreamKitCore
import StreamKitEngine
import Testing
@testable import StreamKitNodes

/// Broken input in every demuxer and decoder: a clear node error naming the node, never a
/// crash or a hang; and a bounded random-mutation fuzz run over each.
@Suite("Bad media in demuxers and decoders", .timeLimit(.minutes(5)))
struct BadMediaTests {
    enum Format: String, CaseIterable, Sendable {
        case ogg, flac, mp3, wav

        /// Demuxer/decoder chain, with the node that must report the failure.
        var chain: [(id: String, kind: String)] {
            switch self {
            case .ogg: [("demux", "containers::ogg::demuxer"), ("decode", "audio::opus::decoder")]
            case .flac: [("decode", "audio::flac::decoder")]
            case .mp3: [("decode", "audio::mp3::decoder")]
            case .wav: [("demux", "containers::wav::demuxer")]
            }
        }

        var pipeline: String {
            var yaml = "mode: oneshot\nnodes:\n  in:\n    kind: streamkit::http_input\n"
            var previous = "in"
            for node in chain {
                yaml += "  \(node.id):\n    kind: \(node.kind)\n    needs: \(previous)\n"
                previous = node.id
            }
            yaml += "  mux:\n    kind: containers::wav::muxer\n    needs: \(previous)\n  out:\n    kind: streamkit::http_output\n    needs: mux\n"
            return yaml
        }

        var codecArguments: [String] {
            switch self {
            case .ogg: ["-c:a", "libopus", "-b:a", "32k", "-f", "ogg"]
            case .flac: ["-c:a", "flac"]
            case .mp3: ["-c:a", "libmp3lame", "-b:a", "64k"]
            case .wav: ["-c:a", "pcm_s16le"]
            }
        }

        /// A valid half-second file made by ffmpeg.
        func validFile(_ scratch: Scratch) throws -> [UInt8] {
            let path = scratch.path("valid.\(rawValue)")
            try FFmpeg.makeSignal(path, rate: 44_100 + (self == .ogg ? 3_900 : 0), channels: 2, seconds: 0.5, codecArguments: codecArguments)
            return try scratch.read("valid.\(rawValue)")
        }
    }

    /// Runs `bytes` through `format`'s chain; returns the node failure (nil on success).
    /// Anything else — a hang past the deadline, another kind of error — fails the test.
    private static func outcome(_ format: Format, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) async -> (node: String, reason: String)? {
        do {
            _ = try await CodecPipelines.run(format.pipeline, input: bytes, pattern: [1000, 3, 4096], deadline: 120)
            return nil
        } catch let error as OneshotError {
            guard case .nodeFailed(let node, _, let reason) = error else {
                Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
                return nil
            }
            #expect(format.chain.contains { $0.id == node }, "failed in \(node): \(reason)", sourceLocation: sourceLocation)
            return (node, reason)
        } catch {
            Issue.record("\(format): \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    @Test(arguments: Format.allCases)
    func aZeroLengthUploadFailsClearly(format: Format) async throws {
        let failure = try #require(await Self.outcome(format, []))
        #expect(failure.node == format.chain[0].id)
        #expect(failure.reason.contains("empty"), "\(failure.reason)")
    }

    @Test(arguments: Format.allCases)
    func garbageFailsClearly(format: Format) async throws {
        var generator = SeededGenerator(seed: 42)
        let garbage = (0..<200_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let failure = try #require(await Self.outcome(format, garbage), "garbage decoded without an error")
        #expect(failure.node == format.chain[0].id)
        #expect(failure.reason.lowercased().contains("not a") || failure.reason.contains("could not"), "\(failure.reason)")
    }

    @Test(arguments: [Format.ogg, .flac, .wav, .mp3])
    func aTruncatedFileFailsClearly(format: Format) async throws {
        try await withScratch { scratch in
            let valid = try format.validFile(scratch)
            #expect(await Self.outcome(format, valid) == nil, "the valid file must decode")
            let failure = try #require(await Self.outcome(format, Array(valid.prefix(valid.count * 6 / 10 + 7))), "truncated file decoded without an error")
            #expect(["truncated", "missing", "ended after"].contains { failure.reason.contains($0) }, "\(failure.reason)")
        }
    }

    @Test(arguments: [Format.ogg, .flac])
    func aCorruptedFileFailsClearly(format: Format) async throws {
        try await withScratch { scratch in
            var bytes = try format.validFile(scratch)
            for offset in stride(from: bytes.count / 2, to: bytes.count / 2 + 64, by: 8) { bytes[offset] ^= 0x5A }
            let failure = try #require(await Self.outcome(format, bytes), "corrupted file decoded without an error")
            #expect(failure.reason.contains("corrupt"), "\(failure.reason)")
        }
    }

    @Test func lyingHeadersFailClearly() async throws {
        try await withScratch { scratch in
            // An OpusHead declaring 0 channels (the ID header is on the first page; fix its CRC).
            var ogg = try Format.ogg.validFile(scratch)
            let headAt = try #require((0..<ogg.count - 8).first { Array(ogg[$0..<$0 + 8]) == Array("OpusHead".utf8) })
            ogg[headAt + 9] = 0
            let pageSize = 27 + Int(ogg[26]) + Int(ogg[27])
            for index in 22..<26 { ogg[index] = 0 }
            let crc = OggCRC.checksum(Array(ogg[0..<pageSize]))
            for index in 0..<4 { ogg[22 + index] = UInt8(truncatingIfNeeded: crc >> UInt32(8 * index)) }
            let oggFailure = try #require(await Self.outcome(.ogg, ogg))
            #expect(oggFailure.reason.contains("0 channels"), "\(oggFailure.reason)")

            // A first audio page claiming a granule position near the end of time.
            var late = try Format.ogg.validFile(scratch)
            var pageStarts: [Int] = []
            var offset = 0
            while offset + 27 <= late.count, Array(late[offset..<offset + 4]) == Array("OggS".utf8) {
                pageStarts.append(offset)
                offset += 27 + Int(late[offset + 26]) + late[(offset + 27)..<(offset + 27 + Int(late[offset + 26]))].reduce(0) { $0 + Int($1) }
            }
            let audioPage = try #require(pageStarts.dropFirst(2).first)
            for index in 0..<8 { late[audioPage + 6 + index] = index == 7 ? 0x7F : 0xFF }
            Self.fixOggChecksums(&late)
            let lateFailure = try #require(await Self.outcome(.ogg, late))
            #expect(lateFailure.reason.contains("implausible granule"), "\(lateFailure.reason)")

            // A STREAMINFO declaring a sample rate of 0.
            var flac = try Format.flac.validFile(scratch)
            let info = 8  // "fLaC" + block header
            flac[info + 10] = 0
            flac[info + 11] = 0
            flac[info + 12] &= 0x0F
            let flacFailure = try #require(await Self.outcome(.flac, flac))
            #expect(flacFailure.reason.contains("sample rate of 0"), "\(flacFailure.reason)")
        }
    }

    @Test func undecodablePacketsFailTheOpusDecoder() async throws {
        var generator = SeededGenerator(seed: 7)
        // TOC bytes of code 3 with a frame count of 0: libopus rejects every one of them.
        let packets = (0..<100).map { _ in Packet.binary(BinaryPacket(data: [0xFB, 0x00] + (0..<40).map { _ in UInt8.random(in: 0...255, using: &generator) })) }
        let run = await NodeHarness.run(try makeNode(OpusDecoderNode.definition), feeding: packets)
        let reason = try #require(run.result.errorDescription)
        #expect(reason.contains("does not decode as Opus"), "\(reason)")
    }

    /// Random mutations of a valid file (bytes flipped, ranges zeroed, cut, duplicated or
    /// shuffled): every run must end — with output or a clean node error — within its deadline,
    /// and memory must stay bounded.
    @Test(arguments: Format.allCases)
    func boundedMutationFuzz(format: Format) async throws {
        try await withScratch { scratch in
            let valid = try format.validFile(scratch)
            // A fixed seed per format (not `hashValue`, which changes from run to run).
            var generator = SeededGenerator(seed: 1234 + UInt64(Format.allCases.firstIndex(of: format) ?? 0))
            let residentBefore = Self.residentMegabytes()
            var failures = 0
            for _ in 0..<150 {
                var bytes = valid
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    Self.mutate(&bytes, using: &generator)
                }
                if await Self.outcome(format, bytes) != nil { failures += 1 }
            }
            let growth = Self.residentMegabytes() - residentBefore
            #expect(growth < 200, "resident memory grew by \(growth) MB")
            // Most mutations must be noticed by something (sanity check that the fuzz bites).
            #expect(format == .wav || format == .mp3 || failures > 0)
        }
    }

    /// Mutations behind valid checksums: Ogg pages are mutated and then given correct CRCs, so
    /// the damage reaches the demuxer's packet logic and the Opus decoder instead of being
    /// dropped as corrupt pages (a file that lies rather than one that is damaged).
    @Test func oggMutationsBehindValidChecksums() async throws {
        try await withScratch { scratch in
            let valid = try Format.ogg.validFile(scratch)
            var generator = SeededGenerator(seed: 99)
            var outcomes = (ok: 0, failed: 0)
            for _ in 0..<150 {
                var bytes = valid
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let at = Int.random(in: 0..<bytes.count, using: &generator)
                    bytes[at] = UInt8.random(in: 0...255, using: &generator)
                }
                Self.fixOggChecksums(&bytes)
                if await Self.outcome(.ogg, bytes) == nil { outcomes.ok += 1 } else { outcomes.failed += 1 }
            }
            #expect(outcomes.ok + outcomes.failed == 150)
        }
    }

    /// Mutated Opus packets straight into the decoder: counted and skipped, never a crash.
    @Test func mutatedOpusPacketsNeverCrashTheDecoder() async throws {
        let samples = Signal.sine(frequency: 300, sampleRate: 48_000, channels: 2, frames: 48_000)
        let encoded = await NodeHarness.run(try makeNode(OpusEncoderNode.definition), feeding: audioPackets(samples, rate: 48_000, channels: 2, framesPerPacket: 960))
        try encoded.result.get()
        var generator = SeededGenerator(seed: 5)
        let mutated = encoded.outputs.enumerated().map { index, packet -> Packet in
            guard index > 0, var data = packet.binaryData, !data.isEmpty else { return packet }
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: data[Int.random(in: 0..<data.count, using: &generator)] ^= 0xFF
            case 1: data = Array(data.prefix(Int.random(in: 0...data.count, using: &generator)))
            case 2: data += (0..<Int.random(in: 1...2000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            default: break
            }
            return .binary(BinaryPacket(data: data, metadata: packet.metadata))
        }
        let decoded = await NodeHarness.run(try makeNode(OpusDecoderNode.definition), feeding: mutated)
        try decoded.result.get()
        // Most packets still decode; the output stays 48 kHz stereo.
        #expect(decoded.outputs.count > mutated.count / 2)
        #expect(decoded.outputs.compactMap(\.audioFrame).allSatisfy { $0.sampleRate == 48_000 && $0.channels == 2 })
    }

    /// Recomputes the CRC of every Ogg page whose header and size still parse.
    private static func fixOggChecksums(_ bytes: inout [UInt8]) {
        var offset = 0
        while offset + 27 <= bytes.count {
            guard bytes[offset] == 0x4F, bytes[offset + 1] == 0x67, bytes[offset + 2] == 0x67, bytes[offset + 3] == 0x53 else {
                offset += 1
                continue
            }
            let segments = Int(bytes[offset + 26])
            guard offset + 27 + segments <= bytes.count else { return }
            let body = bytes[(offset + 27)..<(offset + 27 + segments)].reduce(0) { $0 + Int($1) }
            let end = offset + 27 + segments + body
            guard end <= bytes.count else { return }
            for index in 22..<26 { bytes[offset + index] = 0 }
            let crc = OggCRC.checksum(Array(bytes[offset..<end]))
            for index in 0..<4 { bytes[offset + 22 + index] = UInt8(truncatingIfNeeded: crc >> UInt32(8 * index)) }
            offset = end
        }
    }

    private static func mutate(_ bytes: inout [UInt8], using generator: inout SeededGenerator) {
        guard bytes.count > 16 else { return }
        let at = Int.random(in: 0..<bytes.count, using: &generator)
        switch Int.random(in: 0..<6, using: &generator) {
        case 0:
            bytes[at] ^= UInt8.random(in: 1...255, using: &generator)
        case 1:
            let end = min(bytes.count, at + Int.random(in: 1...512, using: &generator))
            for index in at..<end { bytes[index] = 0 }
        case 2:
            bytes.removeLast(bytes.count - max(1, at))
        case 3:
            let end = min(bytes.count, at + Int.random(in: 1...4096, using: &generator))
            bytes.insert(contentsOf: bytes[at..<end], at: Int.random(in: 0..<bytes.count, using: &generator))
        case 4:
            let end = min(bytes.count, at + Int.random(in: 1...256, using: &generator))
            bytes.removeSubrange(at..<end)
        default:
            for _ in 0..<16 { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = 0xFF }
        }
    }

    private static func residentMegabytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return pages * 4096 / 1_048_576
    }
}
