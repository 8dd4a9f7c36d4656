import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import StreamKitCore
import StreamKitNodes
import Synchronization
import Testing
@testable import StreamKitServer

/// `transport::websocket::input` → `audio::gain` → `transport::websocket::output` through the
/// media sockets, with plain WebSocket clients (the browser test drives the same path from a page).
@Suite("Media sockets", .serialized)
struct MediaSocketTests {
    static let pipeline = """
        mode: dynamic
        nodes:
          mic: {kind: transport::websocket::input, params: {sample_rate: 16000, channels: 1}}
          gain: {kind: audio::gain, params: {gain: 0.25, ramp_ms: 0}, needs: mic}
          out: {kind: transport::websocket::output, params: {sample_format: s16le}, needs: gain}
        """

    @Test func pcmFormatsRoundTrip() {
        let samples: [Float] = [0, 0.5, -0.5, 0.25]
        #expect(PCMFormat(sampleRate: 48000, channels: 1).decode(PCMFormat(sampleRate: 48000, channels: 1).encode(samples)) == samples)
        let s16 = PCMFormat(sampleRate: 48000, channels: 1, sampleFormat: .s16le)
        #expect(s16.decode(s16.encode(samples)) == samples)
        #expect(PCMFormat.parse(["sample_format": "u8"], base: s16) == nil)
        #expect(PCMFormat.parse(["sample_rate": 8000, "channels": 2], base: s16)?.channels == 2)
    }

    @Test func audioGoesInThroughTheGainAndComesBack() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let created = try await server.postJSON("/api/v1/sessions", ["yaml": .string(Self.pipeline)])
        let session = try #require(created.json?["session_id"]?.stringValue, "\(created.text)")
        let base = "ws://127.0.0.1:\(server.port)/api/v1/sessions/\(session)/media/"
        // The nodes register their endpoints when they start.
        let deadline = ContinuousClock.now + .seconds(10)
        while MediaEndpoints.shared.output(session: session, node: "out") == nil || MediaEndpoints.shared.input(session: session, node: "mic") == nil {
            guard ContinuousClock.now < deadline else { Issue.record("media endpoints never registered"); return }
            try await Task.sleep(for: .milliseconds(20))
        }

        let received = Mutex<(texts: [String], samples: [Float])>(([], []))
        let listener = Task {
            try await WebSocketClient.connect(url: base + "out", logger: Logger(label: "media-out")) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 22) {
                    switch message {
                    case .text(let text): received.withLock { $0.texts.append(text) }
                    case .binary(let buffer):
                        let samples = PCMFormat(sampleRate: 16000, channels: 1, sampleFormat: .s16le).decode(buffer.readableBytesView)
                        received.withLock { $0.samples += samples }
                    }
                }
            }
        }
        try await Task.sleep(for: .milliseconds(200))
        // The sender announces s16le and sends 1 s of a 0.5 square wave in 20 ms blocks.
        let sender = PCMFormat(sampleRate: 16000, channels: 1, sampleFormat: .s16le)
        try await WebSocketClient.connect(url: base + "mic", logger: Logger(label: "media-in")) { _, outbound, _ in
            try await outbound.write(.text(#"{"sample_rate":16000,"channels":1,"sample_format":"s16le"}"#))
            for block in 0..<50 {
                let samples = (0..<320).map { ($0 + block) % 2 == 0 ? Float(0.5) : Float(-0.5) }
                try await outbound.write(.binary(.init(bytes: sender.encode(samples))))
                try await Task.sleep(for: .milliseconds(5))
            }
            let until = ContinuousClock.now + .seconds(10)
            while received.withLock({ $0.samples.count }) < 16000, ContinuousClock.now < until {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        listener.cancel()
        let result = received.withLock { $0 }
        #expect(result.texts.first?.contains("\"sample_format\":\"s16le\"") == true, "\(result.texts)")
        #expect(result.samples.count == 16000, "every sample comes back once: \(result.samples.count)")
        let rms = (result.samples.reduce(0) { $0 + Double($1 * $1) } / Double(max(1, result.samples.count))).squareRoot()
        #expect(abs(rms - 0.125) < 0.002, "gain 0.25 of a 0.5 square wave: \(rms)")
    }

    @Test func unknownNodesAndForeignOriginsAreRefused() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let created = try await server.postJSON("/api/v1/sessions", ["yaml": .string(Self.pipeline)])
        let session = try #require(created.json?["session_id"]?.stringValue)
        let base = "ws://127.0.0.1:\(server.port)/api/v1/sessions/\(session)/media/"
        await #expect(throws: (any Error).self) {
            try await WebSocketClient.connect(url: base + "gain", logger: Logger(label: "media")) { _, _, _ in }
        }
        var configuration = WebSocketClientConfiguration()
        configuration.additionalHeaders = [.origin: "http://evil.example"]
        await #expect(throws: (any Error).self) {
            try await WebSocketClient.connect(url: base + "out", configuration: configuration, logger: Logger(label: "media")) { _, _, _ in }
        }
    }
}
