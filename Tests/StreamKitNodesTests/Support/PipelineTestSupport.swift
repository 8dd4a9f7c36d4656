import Foundation
import StreamKitCore
import StreamKitEngine
import StreamKitSchema
import Synchronization
import Testing
@testable import StreamKitNodes

/// A `ByteSource` that hands out prepared chunks, one per `read()`.
final class MemoryByteSource: ByteSource {
    private let chunks: Mutex<[[UInt8]]>

    init(chunks: [[UInt8]]) {
        self.chunks = Mutex(chunks)
    }

    /// `bytes` cut into pieces whose sizes cycle through `pattern` (the last piece may be shorter).
    convenience init(_ bytes: [UInt8], pattern: [Int] = [4096]) {
        self.init(chunks: TestBytes.split(bytes, pattern: pattern))
    }

    func read() async throws -> [UInt8]? {
        chunks.withLock { chunks in chunks.isEmpty ? nil : chunks.removeFirst() }
    }
}

/// A `ByteSink` that keeps everything written to it.
final class MemoryByteSink: ByteSink {
    private let storage = Mutex<[UInt8]>([])
    private let writes = Mutex<Int>(0)

    func write(_ bytes: [UInt8]) async throws {
        storage.withLock { $0 += bytes }
        writes.withLock { $0 += 1 }
    }

    var bytes: [UInt8] { storage.withLock { $0 } }
    var writeCount: Int { writes.withLock { $0 } }
}

/// Runs pipelines through the real engine (`OneshotRunner` with the built-in registry).
enum PipelineRun {
    struct Output {
        var bytes: [UInt8]
        var summary: OneshotSummary
        /// The response content type the run would get (`OneshotRunner.outputContentType`).
        var contentType: String
    }

    /// Parses, compiles and runs `yaml`. `input` (if given) is fed through `streamkit::http_input`
    /// in pieces cycling through `pattern`. Throws what the runner throws (`OneshotError` on a
    /// node failure) or a `PipelineValidationError` if the document does not compile.
    /// A run that takes longer than `deadline` seconds is cancelled and reported as a test failure
    /// (so a hanging node cannot hang the suite).
    static func run(
        _ yaml: String, input: [UInt8]? = nil, pattern: [Int] = [4096], deadline: Double = 10
    ) async throws -> Output {
        let runner = OneshotRunner(registry: BuiltinNodes.makeRegistry())
        let plan = try runner.plan(yaml)
        let sink = MemoryByteSink()
        let source = input.map { MemoryByteSource($0, pattern: pattern) }
        let writesOutput = OneshotRunner.endpoints(of: plan).writesOutput
        let summary = try await withDeadline(seconds: deadline) {
            try await runner.run(plan, input: source, output: writesOutput ? sink : nil)
        }
        return Output(bytes: sink.bytes, summary: summary, contentType: OneshotRunner.outputContentType(of: plan, inputContentType: nil))
    }

    /// Runs `yaml` and returns the error it failed with (nil when it succeeded).
    static func failure(_ yaml: String, input: [UInt8]? = nil, pattern: [Int] = [4096]) async -> (any Error)? {
        do {
            _ = try await run(yaml, input: input, pattern: pattern)
            return nil
        } catch {
            return error
        }
    }
}

struct DeadlineExceeded: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "did not finish within \(seconds) s" }
}

/// Runs `body`, cancelling it and throwing `DeadlineExceeded` if it is not done after `seconds`.
/// (A guard against hangs, not a synchronisation device: a body that finishes wins at once.)
func withDeadline<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw DeadlineExceeded(seconds: seconds) }
        guard let value = first else { throw DeadlineExceeded(seconds: seconds) }
        return value
    }
}

/// Byte helpers shared by the pipeline tests.
enum TestBytes {
    static func split(_ bytes: [UInt8], pattern: [Int]) -> [[UInt8]] {
        precondition(pattern.allSatisfy { $0 > 0 })
        var chunks: [[UInt8]] = []
        var offset = 0
        var index = 0
        while offset < bytes.count {
            let size = min(pattern[index % pattern.count], bytes.count - offset)
            chunks.append(Array(bytes[offset..<offset + size]))
            offset += size
            index += 1
        }
        return chunks
    }

    static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    static func readLE32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }
    static func readLE16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
        UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }
}

/// A small deterministic generator (SplitMix64), so random inputs are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Hand-built WAV files (written independently of `WAVWriter`), with fields that can lie.
enum TestWAV {
    /// The fields of the `fmt ` chunk and the sizes, each overridable to make a broken file.
    struct Header {
        var formatTag: UInt16 = 1
        var channels: UInt16
        var sampleRate: UInt32
        var bitsPerSample: UInt16
        /// nil: computed from channels × bytes per sample.
        var blockAlign: UInt16?
        /// nil: the real payload length.
        var declaredDataSize: UInt32?
    }

    /// RIFF/WAVE with a 16-byte `fmt `, a `LIST` chunk to skip (odd-sized, padded), then `data`.
    static func file(_ header: Header, payload: [UInt8]) -> [UInt8] {
        let blockAlign = header.blockAlign ?? header.channels * (header.bitsPerSample / 8)
        var fmt: [UInt8] = []
        fmt += TestBytes.le16(header.formatTag)
        fmt += TestBytes.le16(header.channels)
        fmt += TestBytes.le32(header.sampleRate)
        fmt += TestBytes.le32(header.sampleRate * UInt32(blockAlign))
        fmt += TestBytes.le16(blockAlign)
        fmt += TestBytes.le16(header.bitsPerSample)
        let list: [UInt8] = Array("INFOISFT".utf8) + TestBytes.le32(3) + Array("ab\0".utf8)  // 15 bytes, 1 pad
        var body: [UInt8] = Array("WAVE".utf8)
        body += Array("fmt ".utf8) + TestBytes.le32(UInt32(fmt.count)) + fmt
        body += Array("LIST".utf8) + TestBytes.le32(UInt32(list.count)) + list + [0]
        body += Array("data".utf8) + TestBytes.le32(header.declaredDataSize ?? UInt32(payload.count)) + payload
        return Array("RIFF".utf8) + TestBytes.le32(UInt32(body.count)) + body
    }

    /// Interleaved s16 samples as little-endian bytes.
    static func s16Payload(_ samples: [Int16]) -> [UInt8] {
        samples.flatMap { TestBytes.le16(UInt16(bitPattern: $0)) }
    }

    /// Interleaved f32 samples as little-endian bytes.
    static func f32Payload(_ samples: [Float]) -> [UInt8] {
        samples.flatMap { TestBytes.le32($0.bitPattern) }
    }

    /// The `fmt ` and `data` chunks of a WAV file, found by walking its chunk list.
    /// A data size of 0xFFFFFFFF (streamed WAV) means "to the end of the file".
    struct Parsed {
        var formatTag: UInt16
        var channels: Int
        var sampleRate: Int
        var bitsPerSample: Int
        var data: [UInt8]
    }

    static func parse(_ bytes: [UInt8]) -> Parsed? {
        guard bytes.count >= 12, Array(bytes[0..<4]) == Array("RIFF".utf8), Array(bytes[8..<12]) == Array("WAVE".utf8) else { return nil }
        var offset = 12
        var fmt: (tag: UInt16, channels: Int, rate: Int, bits: Int)?
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = TestBytes.readLE32(bytes, offset + 4)
            let start = offset + 8
            if id == "data" {
                guard let fmt else { return nil }
                let end = size == 0xFFFF_FFFF ? bytes.count : min(bytes.count, start + Int(size))
                return Parsed(formatTag: fmt.tag, channels: fmt.channels, sampleRate: fmt.rate, bitsPerSample: fmt.bits, data: Array(bytes[start..<end]))
            }
            if id == "fmt " {
                guard start + 16 <= bytes.count else { return nil }
                fmt = (TestBytes.readLE16(bytes, start), Int(TestBytes.readLE16(bytes, start + 2)),
                       Int(TestBytes.readLE32(bytes, start + 4)), Int(TestBytes.readLE16(bytes, start + 14)))
            }
            offset = start + Int(size) + Int(size & 1)
        }
        return nil
    }
}

extension Packet {
    var customPacket: CustomPacket? { if case .custom(let custom) = self { custom } else { nil } }
    var transcriptionValue: Transcription? { if case .transcription(let value) = self { value } else { nil } }
}

extension Result where Failure == any Error {
    /// The error's description, or nil on success.
    var errorDescription: String? {
        if case .failure(let error) = self { "\(error)" } else { nil }
    }
}

/// Makes a node the way the engine does: defaults from the kind's schema filled in, then the factory.
func makeNode(_ definition: NodeDefinition, _ params: JSONValue = [:]) throws -> any Node {
    try definition.factory(params.applyingDefaults(from: definition.paramSchema))
}

/// Whether two packets are the same variant with equal contents and metadata.
func samePacket(_ a: Packet, _ b: Packet) -> Bool {
    switch (a, b) {
    case (.audio(let x), .audio(let y)): x == y
    case (.text(let x), .text(let y)): x == y
    case (.transcription(let x), .transcription(let y)): x == y
    case (.custom(let x), .custom(let y)): x == y
    case (.binary(let x), .binary(let y)): x == y
    default: false
    }
}

/// Every sample of every audio packet, concatenated.
func allSamples(_ packets: [Packet]) -> [Float] {
    packets.compactMap(\.audioFrame).flatMap(\.samples)
}

/// Interleaved `samples` cut into audio packets of `framesPerPacket` frames (the last may be
/// shorter), with sequence numbers and timestamps continuing from `startUs`.
func audioPackets(_ samples: [Float], rate: Int, channels: Int, framesPerPacket: Int, startUs: UInt64 = 0) -> [Packet] {
    var packets: [Packet] = []
    var start = 0
    var framesBefore: UInt64 = 0
    while start < samples.count {
        let end = min(samples.count, start + framesPerPacket * channels)
        let frames = UInt64((end - start) / channels)
        let metadata = PacketMetadata(
            timestampUs: startUs + framesBefore * 1_000_000 / UInt64(rate),
            durationUs: frames * 1_000_000 / UInt64(rate),
            sequence: UInt64(packets.count)
        )
        packets.append(.audio(AudioFrame(sampleRate: rate, channels: channels, samples: Array(samples[start..<end]), metadata: metadata)))
        framesBefore += frames
        start = end
    }
    return packets
}
