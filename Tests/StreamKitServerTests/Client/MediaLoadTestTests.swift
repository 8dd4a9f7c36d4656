import Foundation
import StreamKitClient
import StreamKitLoadTest
import StreamKitCore
import StreamKitServer
import Testing

/// `skit-cli lt` streaming audio through media sockets against a real server on a loopback port.
@Suite("Load test with media sockets", .serialized)
struct MediaLoadTestTests {
    static let pipeline = """
        mode: dynamic
        nodes:
          mic: {kind: transport::websocket::input, params: {sample_rate: 48000, channels: 1}}
          gain: {kind: audio::gain, params: {gain: 0.5, ramp_ms: 0}, needs: mic}
          speaker: {kind: transport::websocket::output, needs: gain}
        """

    static func configuration(_ media: String, sessions: Int = 2, duration: Double = 1.5) throws -> (LoadTestConfiguration, URL) {
        let directory = try ClientTestSupport.temporaryDirectory()
        try pipeline.write(to: directory.appendingPathComponent("live.yml"), atomically: true, encoding: .utf8)
        let toml = """
            [dynamic]
            pipeline = "live.yml"
            sessions = \(sessions)
            duration_secs = \(duration)
            \(media)
            """
        return (try LoadTestConfiguration.parse(toml: toml, baseDirectory: directory.path), directory)
    }

    @Test("each session streams audio in at real time and reads it back: durations match, latency is measured", arguments: ["ogg_opus", "pcm_s16le"])
    func mediaLoadTest(encoding: String) async throws {
        let server = try await TestServer.start()
        let (configuration, directory) = try Self.configuration("""
            media_input = "mic"
            media_output = "speaker"
            media_encoding = "\(encoding)"
            media_tone_hz = 440
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let report: LoadTestReport
        do {
            report = try await LoadTester(server: try ServerAddress(server.baseURL)).run(configuration)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()

        let media = try #require(report.media)
        #expect(media.encoding == encoding)
        #expect(media.sessions.count == 2)
        for session in media.sessions {
            #expect(session.errors.isEmpty, "\(session.errors)")
            // 1.5 s at real time in 20 ms frames.
            #expect(session.framesSent >= 70 && session.framesSent <= 76, "\(session.framesSent) frames")
            #expect(abs(session.secondsSent - Double(session.framesSent) * 0.02) < 1e-6)
            // Everything sent comes back; Opus may hold back the last partial frame and the encoder delay.
            let missing = session.secondsSent - session.secondsReceived
            #expect(missing >= -0.001 && missing <= 0.05, "sent \(session.secondsSent) s, received \(session.secondsReceived) s")
            #expect(session.bytesSent > 0 && session.bytesReceived > 0 && session.messagesReceived > 0)
            #expect((session.firstAudioLatency ?? 0) > 0)
            #expect(!session.latencies.isEmpty && session.latencies.allSatisfy { $0 > 0 })
        }
        let latency = try #require(media.latency)
        #expect(latency.p50 > 0 && latency.p50 < 1, "p50 \(latency.p50) s")
        #expect(abs(media.secondsReceived - media.sessions.reduce(0) { $0 + $1.secondsReceived }) < 1e-9)
        #expect(report.totalErrors == 0)
        #expect(report.text.contains("media (\(encoding)): sent"), "\(report.text)")
        #expect(report.text.contains("media latency"), "\(report.text)")
        let json = report.json
        #expect(json["media"]?["totals"]?["audio_secs_received"]?.doubleValue == media.secondsReceived)
        #expect((json["media"]?["totals"]?["latency_ms"]?["p50"]?.doubleValue ?? 0) > 0)
        print("lt media \(encoding): sent \(media.secondsSent) s, received \(media.secondsReceived) s, latency p50 \(latency.p50 * 1000) ms p95 \(latency.p95 * 1000) ms, first audio p50 \((media.firstAudioLatency?.p50 ?? 0) * 1000) ms")
    }

    @Test("media options that do not fit the config are refused with the key and the reason")
    func badMediaOptionsInTheConfig() throws {
        let cases: [(String, String)] = [
            (#"media_input = "mic"\#nmedia_encoding = "mp3""#, "dynamic.media_encoding: unknown encoding 'mp3' (expected pcm_f32le, pcm_s16le, ogg_opus)"),
            (#"media_encoding = "ogg_opus""#, "dynamic.media_encoding: needs media_input"),
            (#"media_output = "speaker"\#nmedia_tone_hz = 300"#, "dynamic.media_tone_hz: describes the audio sent, but no media_input node"),
            (#"media_input = "mic"\#nmedia_input_file = "live.yml"\#nmedia_tone_hz = 300"#, "dynamic.media_tone_hz: describes a generated tone"),
            (#"media_input = "mic"\#nmedia_input_file = "live.yml""#, "is not a WAV file"),
            (#"media_input = "mic"\#nmedia_frame_ms = 1"#, "dynamic.media_frame_ms: 1 is outside 5...1000"),
        ]
        for (media, message) in cases {
            #expect {
                _ = try Self.configuration(media)
            } throws: { error in
                "\(error)".contains(message)
            }
        }
    }

    @Test("media nodes that are not in the pipeline are named, with the pipeline's real media nodes")
    func unknownMediaNodes() async throws {
        let server = try await TestServer.start()
        let cases: [(String, String)] = [
            (#"media_input = "nope""#, #"media_input = "nope": the pipeline ("#),
            (#"media_input = "gain""#, "node 'gain' is a audio::gain, not a transport::websocket::input; its transport::websocket::input nodes: mic"),
            (#"media_output = "mic""#, "its transport::websocket::output nodes: speaker"),
        ]
        var messages: [String] = []
        for (media, _) in cases {
            let (configuration, directory) = try Self.configuration(media, sessions: 1, duration: 0.3)
            defer { try? FileManager.default.removeItem(at: directory) }
            do {
                _ = try await LoadTester(server: try ServerAddress(server.baseURL)).run(configuration)
                messages.append("no error")
            } catch {
                messages.append("\(error)")
            }
        }
        let left = await server.state.sessions.count
        await server.stop()
        for ((_, expected), message) in zip(cases, messages) {
            #expect(message.contains(expected), "\(message)")
        }
        #expect(messages[0].contains("has no node 'nope'; its transport::websocket::input nodes: mic"), "\(messages[0])")
        #expect(left == 0, "the sessions are cleaned up even when the media options are wrong")
    }
}
