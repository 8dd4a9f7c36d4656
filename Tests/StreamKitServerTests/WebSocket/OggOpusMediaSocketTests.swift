import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import StreamKitCore
@testable import StreamKitNodes
import Synchronization
import Testing
@testable import StreamKitServer

/// Ogg Opus on the media sockets, with plain WebSocket clients: the test encodes a tone with
/// libopus into Ogg pages, streams them cut at odd places through `transport::websocket::input`
/// → `audio::gain` (0.25) → `transport::websocket::output`, and decodes what comes back.
@Suite("Ogg Opus media sockets", .serialized)
struct OggOpusMediaSocketTests {
    static let pipeline = """
        mode: dynamic
        nodes:
          mic: {kind: transport::websocket::input, params: {encoding: ogg_opus, jitter_buffer_ms: 5000}}
          gain: {kind: audio::gain, params: {gain: 0.25, ramp_ms: 0}, needs: mic}
          out: {kind: transport::websocket::output, needs: gain}
        """
    /// The same graph with encodings left to the clients (PCM unless they ask).
    static let openPipeline = """
        mode: dynamic
        nodes:
          mic: {kind: transport::websocket::input, params: {jitter_buffer_ms: 5000}}
          gain: {kind: audio::gain, params: {gain: 0.25, ramp_ms: 0}, needs: mic}
          out: {kind: transport::websocket::output, needs: gain}
        """

    static let amplitude: Float = 0.5

    /// `seconds` of a 440 Hz tone at 48 kHz, mono.
    static func tone(seconds: Double, from start: Int = 0) -> [Float] {
        (0..<Int(seconds * 48000)).map { amplitude * sin(2 * .pi * 440 * Float(start + $0) / 48000) }
    }

    /// Ogg Opus bytes of `samples`: headers, 20 ms packets, end-of-stream when `finish`.
    static func oggOpus(_ samples: [Float], encoder: OggOpusAudioEncoder, finish: Bool) throws -> [UInt8] {
        var bytes: [UInt8] = []
        for start in stride(from: 0, to: samples.count, by: 960) {
            bytes += try encoder.encode(Array(samples[start..<min(samples.count, start + 960)]))
        }
        if finish { bytes += try encoder.finish() }
        return bytes
    }

    /// Cuts bytes at irregular places, so pages split across messages and several share one.
    static func irregularPieces(_ bytes: [UInt8]) -> [[UInt8]] {
        let sizes = [7, 300, 1, 5000, 64, 27, 2000, 13]
        var pieces: [[UInt8]] = []
        var offset = 0
        var index = 0
        while offset < bytes.count {
            let size = min(sizes[index % sizes.count], bytes.count - offset)
            pieces.append(Array(bytes[offset..<offset + size]))
            offset += size
            index += 1
        }
        return pieces
    }

    static func rms(_ samples: ArraySlice<Float>) -> Double { PluginWAV.rms(Array(samples)) }

    /// The RMS of `samples` over that of the test tone: the gain the pipeline applied.
    static func gainRatio(_ samples: ArraySlice<Float>) -> Double { rms(samples) / (Double(amplitude) / 2.0.squareRoot()) }

    /// What one output client received.
    final class Received: Sendable {
        let state = Mutex<(texts: [String], messages: [[UInt8]], samples: [Float], error: String?)>(([], [], [], nil))
        let decoder = OggOpusAudioDecoder()
        var seconds: Double { state.withLock { Double($0.samples.count) / 48000 } }
        var textCount: Int { state.withLock { $0.texts.count } }
    }

    /// Listens to an output socket with `?encoding=ogg_opus`, decoding as it goes.
    static func listen(_ url: String) -> (Received, Task<Void, any Error>) {
        let received = Received()
        let task = Task {
            try await WebSocketClient.connect(url: url + "?encoding=ogg_opus", logger: Logger(label: "ogg-out")) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 22) {
                    switch message {
                    case .text(let text): received.state.withLock { $0.texts.append(text) }
                    case .binary(let buffer):
                        let bytes = Array(buffer.readableBytesView)
                        do {
                            let frames = try received.decoder.feed(bytes)
                            received.state.withLock { state in
                                state.messages.append(bytes)
                                for frame in frames { state.samples += frame.samples }
                            }
                        } catch {
                            received.state.withLock { $0.error = "\(error)" }
                        }
                    }
                }
            }
            return
        }
        return (received, task)
    }

    /// Polls `condition` (the server runs in this process; there is no event to wait on).
    static func wait(_ what: String, timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws {
        guard await ClientTestSupport.eventually(timeout: timeout, { condition() ? true : nil }) != nil else {
            throw StreamKitError.runtime("timed out waiting for \(what)")
        }
    }

    /// Connects to `url`, sends `bytes` if given, and returns how the server closed the socket.
    static func closeFrame(_ url: String, sending bytes: [UInt8]? = nil) async throws -> WebSocketCloseFrame? {
        try await WebSocketClient.connect(url: url, logger: Logger(label: "refused")) { inbound, outbound, _ in
            if let bytes { try await outbound.write(.binary(ByteBuffer(bytes: bytes))) }
            for try await _ in inbound.messages(maxSize: 1 << 20) {}
        }
    }

    static func startSession(_ server: TestServer, yaml: String) async throws -> (session: String, base: String) {
        let created = try await server.postJSON("/api/v1/sessions", ["yaml": .string(yaml)])
        let session = try #require(created.json?["session_id"]?.stringValue, "\(created.text)")
        try await wait("media endpoints") {
            MediaEndpoints.shared.output(session: session, node: "out") != nil && MediaEndpoints.shared.input(session: session, node: "mic") != nil
        }
        return (session, "ws://127.0.0.1:\(server.port)/api/v1/sessions/\(session)/media/")
    }

    /// Sends Ogg bytes over one input socket, cut irregularly; returns how the server closed it.
    @discardableResult
    static func send(_ bytes: [UInt8], to url: String, closeWhen done: @escaping @Sendable () -> Bool) async throws -> WebSocketCloseFrame? {
        try await WebSocketClient.connect(url: url, logger: Logger(label: "ogg-in")) { inbound, outbound, _ in
            for piece in irregularPieces(bytes) { try await outbound.write(.binary(ByteBuffer(bytes: piece))) }
            try await wait("the audio to come back") { done() }
            try await outbound.close(.normalClosure, reason: nil)
            for try await _ in inbound.messages(maxSize: 1 << 20) {}
        }
    }

    @Test("an Ogg Opus tone goes in split and merged across messages, through the gain, and comes back as Ogg Opus")
    func oggOpusRoundTrip() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let (_, base) = try await Self.startSession(server, yaml: Self.pipeline)
        let (received, listener) = Self.listen(base + "out")
        defer { listener.cancel() }
        // The output announces itself at once; send only then, so no audio is missed.
        try await Self.wait("the output announcement") { received.textCount > 0 }

        let input = Self.tone(seconds: 1)
        let encoder = try OggOpusAudioEncoder(sampleRate: 48000, channels: 1)
        let bytes = try Self.oggOpus(input, encoder: encoder, finish: true)
        let closed = try await Self.send(bytes, to: base + "mic") { received.seconds >= 0.97 }
        #expect(closed?.closeCode == .normalClosure || closed == nil)

        let result = received.state.withLock { $0 }
        #expect(result.error == nil, "\(result.error ?? "")")
        #expect(result.texts.first?.contains("\"encoding\":\"ogg_opus\"") == true, "\(result.texts)")
        // Headers first: the first binary message is the OpusHead page followed by the OpusTags page.
        let first = try #require(result.messages.first)
        #expect(Array(first.prefix(4)) == Array("OggS".utf8))
        #expect(first.count > 28 + 8 && Array(first[28..<36]) == Array("OpusHead".utf8))
        #expect(String(decoding: first, as: UTF8.self).contains("OpusTags"))
        let seconds = Double(result.samples.count) / 48000
        // The input's last partial frame may still sit in the output's encoder (< 20 ms).
        #expect(seconds >= 0.97 && seconds <= 1.001, "1 s in, \(seconds) s back")
        let ratio = Self.rms(result.samples[4800...]) / Self.rms(input[4800...])
        #expect(abs(ratio - 0.25) < 0.03, "RMS ratio \(ratio), gain 0.25")
    }

    @Test("a client that joins mid-session gets its own stream: headers first, then decodable audio")
    func lateJoinerGetsHeadersFirst() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let (_, base) = try await Self.startSession(server, yaml: Self.pipeline)
        let (early, earlyTask) = Self.listen(base + "out")
        defer { earlyTask.cancel() }
        try await Self.wait("the first listener") { early.textCount > 0 }

        let encoder = try OggOpusAudioEncoder(sampleRate: 48000, channels: 1)
        let firstHalf = try Self.oggOpus(Self.tone(seconds: 0.5), encoder: encoder, finish: false)
        let secondHalf = try Self.oggOpus(Self.tone(seconds: 0.5, from: 24000), encoder: encoder, finish: true)
        let late = Received()
        let lateTask = Mutex<Task<Void, any Error>?>(nil)
        try await WebSocketClient.connect(url: base + "mic", logger: Logger(label: "ogg-in")) { inbound, outbound, _ in
            for piece in Self.irregularPieces(firstHalf) { try await outbound.write(.binary(ByteBuffer(bytes: piece))) }
            try await Self.wait("the first half") { early.seconds >= 0.45 }
            let (joined, task) = Self.listen(base + "out")
            lateTask.withLock { $0 = task }
            try await Self.wait("the late listener") { joined.textCount > 0 }
            for piece in Self.irregularPieces(secondHalf) { try await outbound.write(.binary(ByteBuffer(bytes: piece))) }
            try await Self.wait("the second half") { early.seconds >= 0.97 && joined.seconds >= 0.45 }
            late.state.withLock { $0 = joined.state.withLock { $0 } }
            try await outbound.close(.normalClosure, reason: nil)
            for try await _ in inbound.messages(maxSize: 1 << 20) {}
        }
        lateTask.withLock { $0?.cancel() }
        let result = late.state.withLock { $0 }
        #expect(result.error == nil, "\(result.error ?? "")")
        let first = try #require(result.messages.first)
        #expect(Array(first.prefix(4)) == Array("OggS".utf8))
        #expect(first[5] & 0x02 != 0, "the first page begins a stream")
        #expect(Array(first[28..<36]) == Array("OpusHead".utf8))
        let seconds = Double(result.samples.count) / 48000
        #expect(seconds >= 0.45 && seconds <= 0.52, "the late joiner decodes the second half: \(seconds) s")
        let ratio = Self.gainRatio(result.samples[2400...])
        #expect(abs(ratio - 0.25) < 0.03, "RMS ratio \(ratio), gain 0.25")
    }

    @Test("garbage, a non-Opus stream or a corrupt page closes that socket with a reason; the sessions go on")
    func badOggInputClosesOnlyThatSocket() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let (sessionA, baseA) = try await Self.startSession(server, yaml: Self.openPipeline)
        let (_, baseB) = try await Self.startSession(server, yaml: Self.openPipeline)

        let garbage = Array(String(repeating: "this is not an Ogg stream. ", count: 8).utf8)
        var vorbis = OggPageWriter(serial: 7)
        vorbis.append([0x01] + Array("vorbis".utf8) + [UInt8](repeating: 0, count: 23), granuleEnd: 0)
        var corrupt = try Self.oggOpus(Self.tone(seconds: 0.2), encoder: OggOpusAudioEncoder(sampleRate: 48000, channels: 1), finish: true)
        corrupt[corrupt.count - 10] ^= 0xFF  // inside the last page's body: its checksum no longer matches
        let cases: [(String, [UInt8], String)] = [
            ("garbage", garbage, "not an Ogg stream"),
            ("vorbis", vorbis.flush(), "not Opus"),
            ("corrupt", corrupt, "checksum"),
        ]
        for (name, bytes, reason) in cases {
            let closed = try await Self.closeFrame(baseA + "mic?encoding=ogg_opus", sending: bytes)
            #expect(closed?.closeCode == .unacceptableData, "\(name): \(String(describing: closed))")
            #expect(closed?.reason?.contains(reason) == true, "\(name): \(closed?.reason ?? "no reason")")
        }
        // A client asking for an encoding the node does not know is refused with the choices.
        let unknown = try await Self.closeFrame(baseA + "mic?encoding=mp3")
        #expect(unknown?.reason?.contains("unknown media encoding 'mp3' (expected pcm or ogg_opus)") == true, "\(unknown?.reason ?? "")")

        #expect(MediaEndpoints.shared.input(session: sessionA, node: "mic") != nil, "the input node still runs")
        for base in [baseA, baseB] {
            let (received, listener) = Self.listen(base + "out")
            try await Self.wait("the output announcement") { received.textCount > 0 }
            let bytes = try Self.oggOpus(Self.tone(seconds: 0.5), encoder: OggOpusAudioEncoder(sampleRate: 48000, channels: 1), finish: true)
            try await Self.send(bytes, to: base + "mic?encoding=ogg_opus") { received.seconds >= 0.47 }
            listener.cancel()
            let seconds = received.seconds
            #expect(seconds >= 0.47 && seconds <= 0.501, "\(base): \(seconds) s back")
        }
    }

    @Test("44.1 kHz audio reaches an Ogg Opus client resampled to 48 kHz: same duration, gain applied")
    func otherRatesAreResampledForOpus() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let (_, base) = try await Self.startSession(server, yaml: Self.openPipeline)
        let (received, listener) = Self.listen(base + "out")
        defer { listener.cancel() }
        try await Self.wait("the output announcement") { received.textCount > 0 }
        let pcm = PCMFormat(sampleRate: 44100, channels: 1)
        let input = (0..<22050).map { Self.amplitude * sin(2 * .pi * 440 * Float($0) / 44100) }
        try await WebSocketClient.connect(url: base + "mic", logger: Logger(label: "pcm-in")) { inbound, outbound, _ in
            try await outbound.write(.text(#"{"type":"format","encoding":"pcm","sample_rate":44100,"channels":1,"sample_format":"f32le"}"#))
            for start in stride(from: 0, to: input.count, by: 441) {
                try await outbound.write(.binary(ByteBuffer(bytes: pcm.encode(Array(input[start..<start + 441])))))
            }
            try await Self.wait("the audio to come back") { received.seconds >= 0.45 }
            try await outbound.close(.normalClosure, reason: nil)
            for try await _ in inbound.messages(maxSize: 1 << 20) {}
        }
        let result = received.state.withLock { $0 }
        #expect(result.error == nil, "\(result.error ?? "")")
        #expect(result.texts.contains { $0.contains("\"sample_rate\":48000") }, "\(result.texts)")
        // 0.5 s in; the resampler's filter and the encoder's last partial frame hold back a little.
        let seconds = Double(result.samples.count) / 48000
        #expect(seconds >= 0.45 && seconds <= 0.501, "0.5 s in at 44.1 kHz, \(seconds) s back at 48 kHz")
        let ratio = Self.gainRatio(result.samples[4800...])
        #expect(abs(ratio - 0.25) < 0.03, "RMS ratio \(ratio), gain 0.25")
    }

    @Test("a node that fixes ogg_opus refuses a PCM client, naming the node")
    func fixedEncodingRefusesTheOther() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let (_, base) = try await Self.startSession(server, yaml: Self.pipeline)
        let closed = try await Self.closeFrame(base + "mic?encoding=pcm")
        #expect(closed?.closeCode == .unacceptableData)
        #expect(closed?.reason == "node 'mic' carries ogg_opus only (its encoding parameter), not pcm", "\(closed?.reason ?? "")")
        // And the node parameter itself is checked by the schema.
        let created = try await server.postJSON("/api/v1/sessions", ["yaml": .string(Self.pipeline.replacingOccurrences(of: "encoding: ogg_opus", with: "encoding: opus"))])
        #expect(created.status >= 400)
        #expect(created.text.contains("mic") && created.text.contains("encoding"), "\(created.text)")
    }
}
