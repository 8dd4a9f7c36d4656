import Foundation
import StreamKitClient
import StreamKitCore

/// Helpers for the client tests: temporary files, WAV bytes, and waiting for events.
enum ClientTestSupport {
    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("skit-client-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A canonical 44-byte-header PCM WAV: 16-bit, mono.
    static func wav(samples: [Int16], sampleRate: Int = 48000) -> [UInt8] {
        var bytes: [UInt8] = []
        func u32(_ value: Int) { withUnsafeBytes(of: UInt32(value).littleEndian) { bytes += $0 } }
        func u16(_ value: Int) { withUnsafeBytes(of: UInt16(value).littleEndian) { bytes += $0 } }
        let dataSize = samples.count * 2
        bytes += Array("RIFF".utf8); u32(36 + dataSize); bytes += Array("WAVE".utf8)
        bytes += Array("fmt ".utf8); u32(16); u16(1); u16(1); u32(sampleRate); u32(sampleRate * 2); u16(2); u16(16)
        bytes += Array("data".utf8); u32(dataSize)
        for sample in samples { withUnsafeBytes(of: sample.littleEndian) { bytes += $0 } }
        return bytes
    }

    /// The 16-bit samples of a WAV's `data` chunk (to the end of the file when the size is a placeholder).
    static func samples(ofWAV bytes: [UInt8]) -> [Int16]? {
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        var offset = 12
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = u32(offset + 4)
            if id == "data" {
                let start = offset + 8
                let end = min(bytes.count, size == 0 || size == 0xFFFF_FFFF ? bytes.count : start + size)
                var samples: [Int16] = []
                var index = start
                while index + 1 < end {
                    samples.append(Int16(bitPattern: UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8))
                    index += 2
                }
                return samples
            }
            offset += 8 + size + (size % 2)
        }
        return nil
    }

    /// The first event of `stream` that matches, or nil after `timeout`.
    static func firstEvent(
        in stream: AsyncStream<ControlEvent>, timeout: Duration = .seconds(10),
        where matches: @escaping @Sendable (ControlEvent) -> Bool
    ) async -> ControlEvent? {
        await withTaskGroup(of: ControlEvent?.self) { group in
            group.addTask {
                for await event in stream where matches(event) { return event }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Polls `check` until it returns a value or `timeout` passes.
    static func eventually<T>(timeout: Duration = .seconds(10), _ check: () async throws -> T?) async rethrows -> T? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = try await check() { return value }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await check()
    }

    static let gainWAVPipeline = """
    mode: oneshot
    steps:
      - kind: streamkit::http_input
      - kind: containers::wav::demuxer
      - kind: audio::gain
        params: {gain: 2.0}
      - kind: containers::wav::muxer
      - kind: streamkit::http_output
    """

    static let passthroughPipeline = """
    mode: oneshot
    steps:
      - kind: streamkit::http_input
      - kind: core::passthrough
      - kind: streamkit::http_output
    """

    static let toneGainPipeline = """
    mode: dynamic
    nodes:
      tone:
        kind: audio::tone
        params: {frequency: 440, sample_rate: 48000, channels: 1, duration_ms: 0}
      pacer:
        kind: audio::pacer
        needs: tone
      gain:
        kind: audio::gain
        params: {gain: 1.0}
        needs: pacer
      sink:
        kind: core::sink
        needs: gain
    """
}
