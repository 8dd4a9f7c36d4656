import Foundation
import HummingbirdWSClient
import Logging
import StreamKitCore
import StreamKitEngine
import StreamKitNodes
@testable import StreamKitServer
import Synchronization
import Testing

/// The speech plugins built by `make speech` (plugin::native::vad, moonshine, piper) with their
/// real models, in a real server on loopback: speech made by espeak-ng with known words and known
/// speech/silence boundaries goes in, transcripts and events come out.
@Suite("Speech plugins through the server", .serialized, .timeLimit(.minutes(5)))
struct SpeechPluginTests {
    static let sentences = [
        "My name is John Smith and I live in London.",
        "Please send me twenty five copies of the report.",
        "The meeting starts at nine thirty tomorrow morning.",
        "Where is the nearest train station?",
        "David has three brothers and two sisters.",
    ]

    @Test("STT: five espeak-ng sentences, WER ≤ 15 %, one segment each within ±300 ms")
    func transcribesSentences() async throws {
        let server = try await SpeechFixtures.server()
        defer { Task { await server.stop() } }
        let pieces = try Self.sentences.map { try SpeechFixtures.speak($0) }
        let clip = SpeechFixtures.clip(pieces)
        let reply = try await server.process(
            yaml: SpeechFixtures.ndjsonPipeline(SpeechFixtures.moonshineStep()), media: SpeechFixtures.wav(clip.samples), mediaType: "audio/wav",
            timeout: .seconds(180))
        #expect(reply.status == 200, "\(reply.text)")
        let results = SpeechFixtures.transcriptions(reply.text)
        #expect(results.count == Self.sentences.count, "\(reply.text)")
        let heard = results.compactMap { $0["text"]?.stringValue }.joined(separator: " ")
        let wer = WordErrorRate.rate(reference: Self.sentences.joined(separator: " "), hypothesis: heard)
        #expect(wer <= 0.15, "WER \(wer): heard \(heard)")
        for (result, span) in zip(results, clip.spans) {
            #expect(result["language"] == "en")
            let segment = try #require(result["segments"]?.arrayValue?.first)
            let start = try #require(segment["start_time_ms"]?.doubleValue), end = try #require(segment["end_time_ms"]?.doubleValue)
            #expect(abs(start - span.start * 1000) <= 300, "segment starts at \(start) ms, speech at \(span.start * 1000) ms")
            #expect(abs(end - span.end * 1000) <= 300, "segment ends at \(end) ms, speech at \(span.end * 1000) ms")
        }
    }

    @Test("VAD events: speech_start/speech_end within ±150 ms of the speech")
    func vadEvents() async throws {
        let server = try await SpeechFixtures.server()
        defer { Task { await server.stop() } }
        let pieces = try Array(Self.sentences.prefix(3)).map { try SpeechFixtures.speak($0) }
        let clip = SpeechFixtures.clip(pieces, lead: 1.0, gap: 1.5)
        let step = "  - kind: plugin::native::vad\n    params: {model_path: \"\(SpeechFixtures.vadModel)\", output_mode: events}"
        let reply = try await server.process(yaml: SpeechFixtures.ndjsonPipeline(step), media: SpeechFixtures.wav(clip.samples), mediaType: "audio/wav", timeout: .seconds(60))
        #expect(reply.status == 200, "\(reply.text)")
        let events = SpeechFixtures.customData(reply.text)
        let starts = events.filter { $0["event_type"] == "speech_start" }.compactMap { $0["timestamp_ms"]?.doubleValue }
        let ends = events.filter { $0["event_type"] == "speech_end" }
        #expect(starts.count == 3 && ends.count == 3, "\(reply.text)")
        for (index, span) in clip.spans.enumerated() where index < min(starts.count, ends.count) {
            let end = try #require(ends[index]["timestamp_ms"]?.doubleValue), duration = try #require(ends[index]["duration_ms"]?.doubleValue)
            #expect(abs(end - duration - span.start * 1000) <= 150, "segment \(index) starts at \(end - duration) ms, speech at \(span.start * 1000)")
            #expect(abs(end - span.end * 1000) <= 150, "segment \(index) ends at \(end) ms, speech at \(span.end * 1000)")
            #expect(abs(starts[index] - span.start * 1000) <= 150, "speech_start \(index) at \(starts[index]) ms, speech at \(span.start * 1000)")
        }
    }

    @Test("VAD filtered_audio: only the speech passes (duration asserted)")
    func vadFilteredAudio() async throws {
        let server = try await SpeechFixtures.server()
        defer { Task { await server.stop() } }
        let pieces = try Array(Self.sentences.prefix(2)).map { try SpeechFixtures.speak($0) }
        let clip = SpeechFixtures.clip(pieces, lead: 2.0, gap: 2.0)
        let yaml = """
            mode: oneshot
            steps:
              - kind: streamkit::http_input
              - kind: containers::wav::demuxer
              - kind: audio::resampler
                params: {target_sample_rate: 16000}
              - kind: plugin::native::vad
                params: {model_path: "\(SpeechFixtures.vadModel)", output_mode: filtered_audio}
              - kind: containers::wav::muxer
              - kind: streamkit::http_output
            """
        let reply = try await server.process(yaml: yaml, media: SpeechFixtures.wav(clip.samples), mediaType: "audio/wav", timeout: .seconds(60))
        #expect(reply.status == 200, "\(reply.text.prefix(500))")
        let output = try #require(PluginWAV.samples(reply.body))
        let seconds = Double(output.count) / 16000
        let speech = clip.spans.reduce(0) { $0 + $1.end - $1.start }
        let input = Double(clip.samples.count) / Double(SpeechFixtures.rate)
        #expect(abs(seconds - speech) <= 0.3, "kept \(seconds) s of \(input) s; the speech is \(speech) s")
        #expect(PluginWAV.rms(output) > 0.02, "the kept audio is speech, not silence")
    }

    @Test("TTS → STT round trip: the quick brown fox comes back (WER ≤ 20 %)")
    func ttsToSttRoundTrip() async throws {
        let server = try await SpeechFixtures.server()
        defer { Task { await server.stop() } }
        let sentence = "The quick brown fox jumps over the lazy dog."
        let yaml = """
            mode: oneshot
            steps:
              - kind: streamkit::http_input
              - kind: core::text_chunker
                params: {split_mode: sentences, min_length: 10}
              - kind: plugin::native::piper
                # Less sampling noise than the voice's default: the same words every run.
                params: {model_dir: "\(SpeechFixtures.piperDir)", noise_scale: 0.333, noise_scale_w: 0.333}
              - kind: audio::resampler
                params: {target_sample_rate: 16000}
            \(SpeechFixtures.moonshineStep())
              - kind: core::json_serialize
                params: {newline_delimited: true}
              - kind: streamkit::http_output
                params: {content_type: application/json}
            """
        let reply = try await server.process(yaml: yaml, media: Array(sentence.utf8), mediaType: "text/plain", timeout: .seconds(120))
        #expect(reply.status == 200, "\(reply.text)")
        let heard = SpeechFixtures.transcriptions(reply.text).compactMap { $0["text"]?.stringValue }.joined(separator: " ")
        let wer = WordErrorRate.rate(reference: sentence, hypothesis: heard)
        #expect(wer <= 0.2, "WER \(wer): heard '\(heard)'")
    }

    @Test("TTS: piper-tts.yml's chain speaks each sentence at 22 050 Hz (WAV out)")
    func ttsSentences() async throws {
        let server = try await SpeechFixtures.server()
        defer { Task { await server.stop() } }
        let yaml = """
            mode: oneshot
            steps:
              - kind: streamkit::http_input
              - kind: core::text_chunker
                params: {split_mode: sentences, min_length: 10}
              - kind: plugin::native::piper
                params: {model_dir: "\(SpeechFixtures.piperDir)"}
              - kind: containers::wav::muxer
              - kind: streamkit::http_output
            """
        let reply = try await server.process(
            yaml: yaml, media: Array("Hello from StreamKit. This is the second sentence. And a third one to finish.".utf8), mediaType: "text/plain",
            timeout: .seconds(120))
        #expect(reply.status == 200, "\(reply.text.prefix(300))")
        let rate = reply.body.count > 28 ? Int(reply.body[24]) | Int(reply.body[25]) << 8 | Int(reply.body[26]) << 16 : 0
        #expect(rate == 22_050)
        let samples = try #require(PluginWAV.samples(reply.body))
        let seconds = Double(samples.count) / 22_050
        #expect(seconds > 3 && seconds < 12, "\(seconds) s of speech")
        #expect(PluginWAV.rms(samples) > 0.02)
    }

    @Test("TTS streams: the first sentence's audio leaves the node before the last sentence is synthesised")
    func ttsStreamsSentenceBySentence() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("skit-speech-tts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let text = scratch.appendingPathComponent("story.txt")
        try Data("Hello from StreamKit. This is the second sentence. Here comes the third one. And the fourth sentence ends it.".utf8).write(to: text)
        try SpeechFixtures.requirePrepared()
        let server = try await TestServer.start { configuration in
            configuration.plugins.directory = SpeechFixtures.pluginDirectory
            configuration.security.allowedFilePaths = [scratch.path + "/**"]
        }
        defer { Task { await server.stop() } }
        let client = try await ControlTestClient.connect(server.controlURL)
        let session = try await Self.session(server, """
            mode: dynamic
            nodes:
              text: {kind: core::file_reader, params: {path: "\(text.path)"}}
              chunks: {kind: core::text_chunker, params: {split_mode: sentences, min_length: 10}, needs: text}
              tts: {kind: plugin::native::piper, params: {model_dir: "\(SpeechFixtures.piperDir)"}, needs: chunks}
              tap: {kind: core::telemetry_tap, params: {packet_types: [Audio], audio_sample_interval_ms: 100}, needs: tts}
              sink: {kind: core::sink, needs: tap}
            """)
        let sentenceEvent: @Sendable (JSONValue, Int) -> Bool = { payload, number in
            payload.has("event", "nodetelemetry") && payload.has("session_id", session) && payload["data"]?["event_type"] == "tts.sentence"
                && payload["data"]?["sentence"]?.intValue == number
        }
        _ = try await client.event(timeout: .seconds(60)) { sentenceEvent($0, 4) }
        let events = client.events
        let firstAudio = events.firstIndex { $0.has("event", "nodetelemetry") && $0.has("session_id", session) && $0["data"]?["event_type"] == "audio.level" }
        let lastSentence = events.firstIndex { sentenceEvent($0, 4) }
        let audioIndex = try #require(firstAudio, "no audio reached the tap")
        #expect(audioIndex < (lastSentence ?? 0), "the first audio (event \(audioIndex)) should pass the tap before sentence 4 is made (event \(lastSentence ?? -1))")
        let made = events.filter { $0.has("session_id", session) && $0["data"]?["event_type"] == "tts.sentence" }.count
        #expect(made == 4)
        await client.close()
    }

    @Test("bad input: wrong rate, missing and corrupt models, empty and 10 000-character text are clear errors; the server and other sessions go on")
    func badInputs() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("skit-speech-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        try SpeechFixtures.requirePrepared()
        let server = try await TestServer.start { configuration in
            configuration.plugins.directory = SpeechFixtures.pluginDirectory
            configuration.security.allowedFilePaths = [scratch.path + "/**"]
        }
        defer { Task { await server.stop() } }
        let client = try await ControlTestClient.connect(server.controlURL)
        let moonshine = "{model_dir: \"\(SpeechFixtures.moonshineDir)\", vad_model_path: \"\(SpeechFixtures.vadModel)\"}"

        // A healthy session runs through all of it: a paced tone into the VAD.
        let healthy = try await Self.session(server, """
            mode: dynamic
            nodes:
              tone: {kind: audio::tone, params: {duration_ms: 0, sample_rate: 16000, channels: 1, amplitude: 0.2}}
              pacer: {kind: audio::pacer, needs: tone}
              vad: {kind: plugin::native::vad, params: {model_path: "\(SpeechFixtures.vadModel)"}, needs: pacer}
              sink: {kind: core::sink, needs: vad}
            """)

        // A declared 22 050 Hz output into the 16 kHz STT: refused when connecting, naming the fix.
        let declared = try await server.postJSON("/api/v1/sessions", ["yaml": .string("""
            mode: dynamic
            nodes:
              tone: {kind: audio::tone, params: {duration_ms: 500, sample_rate: 22050, channels: 1}}
              stt: {kind: plugin::native::moonshine, params: \(moonshine), needs: tone}
            """)])
        #expect(declared.text.contains("audio::resampler (target_sample_rate: 16000)"), "\(declared.status) \(declared.text)")

        // 22 050 Hz audio from a WAV file (its rate is known only when it is read): the plugin refuses it,
        // pointing to the resampler.
        let wavFile = scratch.appendingPathComponent("speech-22k.wav")
        try Data(SpeechFixtures.wav(SpeechFixtures.clip([try SpeechFixtures.speak("Testing one two three.")]).samples)).write(to: wavFile)
        let wrongRate = try await Self.failure(of: "stt", server, client, """
            mode: dynamic
            nodes:
              file: {kind: core::file_reader, params: {path: "\(wavFile.path)"}}
              wav: {kind: containers::wav::demuxer, needs: file}
              stt: {kind: plugin::native::moonshine, params: \(moonshine), needs: wav}
            """)
        #expect(wrongRate.contains("needs 16 kHz mono audio but got 22050 Hz") && wrongRate.contains("audio::resampler"), "\(wrongRate)")

        // Missing model: the file and the command that provides it.
        let missing = try await Self.failure(of: "stt", server, client, """
            mode: dynamic
            nodes:
              tone: {kind: audio::tone, params: {duration_ms: 500, sample_rate: 16000, channels: 1}}
              stt: {kind: plugin::native::moonshine, params: {model_dir: /nonexistent/moonshine}, needs: tone}
            """)
        #expect(missing.contains("/nonexistent/moonshine/encoder_model.ort") && missing.contains("make speech"), "\(missing)")

        // Corrupt models: garbage where the encoder and the VAD model should be.
        let corruptDir = scratch.appendingPathComponent("moonshine")
        try FileManager.default.createDirectory(at: corruptDir, withIntermediateDirectories: true)
        try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: corruptDir.appendingPathComponent("encoder_model.ort"))
        for name in ["decoder_model_merged.ort", "tokens.txt"] {
            try FileManager.default.copyItem(atPath: SpeechFixtures.moonshineDir + "/" + name, toPath: corruptDir.appendingPathComponent(name).path)
        }
        let corrupt = try await Self.failure(of: "stt", server, client, """
            mode: dynamic
            nodes:
              tone: {kind: audio::tone, params: {duration_ms: 500, sample_rate: 16000, channels: 1}}
              stt: {kind: plugin::native::moonshine, params: {model_dir: "\(corruptDir.path)"}, needs: tone}
            """)
        #expect(corrupt.contains("encoder_model.ort") && corrupt.contains("corrupt"), "\(corrupt)")
        let badVAD = scratch.appendingPathComponent("silero.onnx")
        try Data(repeating: 0x41, count: 4096).write(to: badVAD)
        let vadCorrupt = try await Self.failure(of: "vad", server, client, """
            mode: dynamic
            nodes:
              tone: {kind: audio::tone, params: {duration_ms: 500, sample_rate: 16000, channels: 1}}
              vad: {kind: plugin::native::vad, params: {model_path: "\(badVAD.path)"}, needs: tone}
            """)
        #expect(vadCorrupt.contains("silero.onnx") && vadCorrupt.contains("not an ONNX model"), "\(vadCorrupt)")

        // Text-to-speech: an empty text and a 10 000-character text.
        func tts(_ file: URL) -> String {
            """
            mode: dynamic
            nodes:
              text: {kind: core::file_reader, params: {path: "\(file.path)"}}
              chunks: {kind: core::text_chunker, params: {split_mode: sentences, min_length: 10}, needs: text}
              tts: {kind: plugin::native::piper, params: {model_dir: "\(SpeechFixtures.piperDir)"}, needs: chunks}
              sink: {kind: core::sink, needs: tts}
            """
        }
        let emptyFile = scratch.appendingPathComponent("empty.txt"), longFile = scratch.appendingPathComponent("long.txt")
        try Data().write(to: emptyFile)
        try Data(String(repeating: "word ", count: 2000).utf8).write(to: longFile)
        let empty = try await Self.failure(of: "tts", server, client, tts(emptyFile))
        #expect(empty.contains("nothing to speak"), "\(empty)")
        let long = try await Self.failure(of: "tts", server, client, tts(longFile))
        #expect(long.contains("characters of text, more than max_text_chars (4000)"), "\(long)")

        // The server and the healthy session go on.
        #expect(try await server.get("/healthz").status == 200)
        #expect(!client.events.contains { $0.has("event", "nodestatechanged") && $0.has("session_id", healthy) && $0["state"]?["Failed"] != nil })
        let speech = SpeechFixtures.wav(SpeechFixtures.clip([try SpeechFixtures.speak("Testing one two three.")]).samples)
        let step = "  - kind: plugin::native::vad\n    params: {model_path: \"\(SpeechFixtures.vadModel)\"}"
        let good = try await server.process(yaml: SpeechFixtures.ndjsonPipeline(step), media: speech, mediaType: "audio/wav")
        #expect(good.status == 200 && SpeechFixtures.customData(good.text).count == 2, "\(good.text)")
        await client.close()
    }

    /// Creates a dynamic session from YAML and returns its id.
    static func session(_ server: TestServer, _ yaml: String) async throws -> String {
        let created = try await server.postJSON("/api/v1/sessions", ["yaml": .string(yaml)])
        guard let id = created.json?["session_id"]?.stringValue else { throw SpeechTestError("session not created: \(created.status) \(created.text)") }
        return id
    }

    /// Creates a dynamic session and returns the reason its node `node` failed with.
    static func failure(of node: String, _ server: TestServer, _ client: ControlTestClient, _ yaml: String) async throws -> String {
        let id = try await session(server, yaml)
        // The state change as an event, or (should a lagging client's events have been dropped) as
        // the node's state in the session's pipeline.
        let deadline = ContinuousClock.now + .seconds(60)
        var last = JSONValue.null
        while ContinuousClock.now < deadline {
            if let failed = client.events.first(where: {
                $0.has("event", "nodestatechanged") && $0.has("session_id", id) && $0.has("node_id", node) && $0["state"]?["Failed"] != nil
            }) {
                return failed["state"]?["Failed"]?["reason"]?.stringValue ?? "\(failed)"
            }
            last = (try await server.get("/api/v1/sessions/\(id)/pipeline")).json?["nodes"]?[node]?["state"] ?? .null
            if let reason = last["Failed"]?["reason"]?.stringValue { return reason }
            try await Task.sleep(for: .milliseconds(50))
        }
        let seen = client.events.filter { $0.has("session_id", id) && $0["event"] != "nodestatsupdated" }.map { $0.jsonString() }
        throw SpeechTestError("node '\(node)' never failed (last state \(last.jsonString())); the session's events: \(seen.suffix(12))")
    }

    @Test("two live sessions share one loaded STT model (the plugin's load counter)")
    func sessionsShareTheModel() async throws {
        let server = try await SpeechFixtures.server()
        defer { Task { await server.stop() } }
        let client = try await ControlTestClient.connect(server.controlURL)
        var sessions: [String] = []
        for name in ["stt-a", "stt-b"] {
            let created = try await client.request(["action": "createsession", "name": .string(name)])
            let id = try #require(created["session_id"]?.stringValue)
            sessions.append(id)
            let session = JSONValue.string(id)
            for (node, kind, params) in [
                ("tone", "audio::tone", ["duration_ms": 0, "frequency": 440, "amplitude": 0.3, "sample_rate": 16000, "channels": 1] as JSONValue),
                ("pacer", "audio::pacer", [:] as JSONValue),
                ("stt", "plugin::native::moonshine", ["model_dir": .string(SpeechFixtures.moonshineDir), "vad_model_path": .string(SpeechFixtures.vadModel)] as JSONValue),
            ] {
                let reply = try await client.request(["action": "addnode", "session_id": session, "node_id": .string(node), "kind": .string(kind), "params": params])
                #expect(reply == ["action": "success"], "\(reply)")
            }
            for (from, to) in [("tone", "pacer"), ("pacer", "stt")] {
                let wired = try await client.request(["action": "connect", "session_id": session, "from_node": .string(from), "from_pin": "out", "to_node": .string(to), "to_pin": "in"])
                #expect(wired == ["action": "success"], "\(wired)")
            }
            // Each node reports the model it uses on its first packet.
            let event = try await client.waitFor(timeout: .seconds(60)) { message in
                let payload = message["payload"] ?? .null
                return payload.has("event", "nodetelemetry") && payload.has("session_id", id) && payload["data"]?["event_type"] == "moonshine.model"
            }
            let data = event["payload"]?["data"] ?? .null
            #expect(data["model_loads"]?.intValue == 1, "\(data)")
            #expect(data["nodes_sharing"]?.intValue == sessions.count, "\(data)")
        }
        for id in sessions { _ = try await client.request(["action": "destroysession", "session_id": .string(id)]) }
        await client.close()
    }

    @Test("live: a sentence streamed in real time over the media socket gives a final transcript within 1.5 s of the end of speech")
    func liveTranscription() async throws {
        let server = try await SpeechFixtures.server()
        defer { Task { await server.stop() } }
        let client = try await ControlTestClient.connect(server.controlURL)
        // live_transcription.yml with absolute model paths and espeak's rate at the socket.
        let yaml = """
            mode: dynamic
            nodes:
              mic:
                kind: transport::websocket::input
                params: {sample_rate: \(SpeechFixtures.rate), channels: 1, jitter_buffer_ms: 500}
              resample:
                kind: audio::resampler
                params: {target_sample_rate: 16000}
                needs: mic
              stt:
                kind: plugin::native::moonshine
                params: {model_dir: "\(SpeechFixtures.moonshineDir)", vad_model_path: "\(SpeechFixtures.vadModel)", min_silence_duration_ms: 400}
                needs: resample
              transcripts:
                kind: core::telemetry_out
                params: {packet_types: [Transcription]}
                needs: stt
            """
        let created = try await server.postJSON("/api/v1/sessions", ["yaml": .string(yaml)])
        let session = try #require(created.json?["session_id"]?.stringValue, "\(created.text)")
        let deadline = ContinuousClock.now + .seconds(30)
        while MediaEndpoints.shared.input(session: session, node: "mic") == nil {
            guard ContinuousClock.now < deadline else { Issue.record("the mic endpoint never registered"); return }
            try await Task.sleep(for: .milliseconds(20))
        }
        let sentence = "Where is the nearest train station?"
        let speech = try SpeechFixtures.speak(sentence)
        let block = SpeechFixtures.rate / 50  // 20 ms
        let audio = [Float](repeating: 0, count: SpeechFixtures.rate / 2) + speech + [Float](repeating: 0, count: SpeechFixtures.rate * 3)
        let speechEndBlock = (SpeechFixtures.rate / 2 + speech.count + block - 1) / block
        let endOfSpeech = Mutex<ContinuousClock.Instant?>(nil)
        let format = PCMFormat(sampleRate: SpeechFixtures.rate, channels: 1, sampleFormat: .s16le)
        // The plugin's `moonshine.segment` event (inference time) comes just before the transcript.
        let segmentTiming = Mutex<JSONValue?>(nil)
        let transcript = Task {
            let event = try await client.event(timeout: .seconds(60)) { payload in
                guard payload.has("event", "nodetelemetry"), payload.has("session_id", session) else { return false }
                if payload["data"]?["event_type"] == "moonshine.segment" { segmentTiming.withLock { $0 = payload["data"] } }
                return payload["data"]?["event_type"] == "stt.result"
            }
            return (event, ContinuousClock.now)
        }
        try await WebSocketClient.connect(url: "ws://127.0.0.1:\(server.port)/api/v1/sessions/\(session)/media/mic", logger: Logger(label: "speech-mic")) { _, outbound, _ in
            try await outbound.write(.text(#"{"sample_rate":\#(SpeechFixtures.rate),"channels":1,"sample_format":"s16le"}"#))
            // Real time: each 20 ms block leaves on its own deadline (the pacing of a microphone).
            let start = ContinuousClock.now
            for (index, offset) in stride(from: 0, to: audio.count, by: block).enumerated() {
                try await Task.sleep(until: start + .milliseconds(20 * index), clock: .continuous)
                try await outbound.write(.binary(.init(bytes: format.encode(Array(audio[offset..<min(audio.count, offset + block)])))))
                if index + 1 == speechEndBlock { endOfSpeech.withLock { $0 = ContinuousClock.now } }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        let (event, arrived) = try await transcript.value
        let heard = event["data"]?["text_preview"]?.stringValue ?? event["data"]?["text"]?.stringValue ?? ""
        #expect(WordErrorRate.rate(reference: sentence, hypothesis: heard) <= 0.2, "heard '\(heard)' in \(event)")
        let spokenEnd = try #require(endOfSpeech.withLock { $0 })
        let latency = arrived - spokenEnd
        let timing = segmentTiming.withLock { $0 }
        let inference = timing?["inference_ms"]?.doubleValue
        print("speech: live final transcript \(latency) after the end of speech (plugin: \(timing.map { $0.jsonString() } ?? "no moonshine.segment event"))")
        #expect(inference != nil, "the plugin reports each segment's inference time")
        #expect(latency < .milliseconds(1500), "final transcript \(latency) after the end of speech (\(timing.map { $0.jsonString() } ?? ""))")
        _ = try await client.request(["action": "destroysession", "session_id": .string(session)])
    }

    @Test("the speech samples validate with the plugins loaded")
    func samplesValidate() async throws {
        try SpeechFixtures.requirePrepared()
        // voice_agent.yml's agent names the secret 'openai', which voice_agent.toml defines.
        let server = try await TestServer.start(environment: ["SKIT_TEST_VOICE_KEY": "sk-validate"]) { configuration in
            configuration.plugins.directory = SpeechFixtures.pluginDirectory
            configuration.script.secrets["openai"] = .init(env: "SKIT_TEST_VOICE_KEY", type: .token)
        }
        defer { Task { await server.stop() } }
        let root = SpeechFixtures.root.appendingPathComponent("samples/pipelines")
        var checked: [String] = []
        for name in ["oneshot/speech_to_text.yml", "oneshot/vad-demo.yml", "oneshot/vad-filtered-stt.yml", "oneshot/piper-tts.yml", "dynamic/live_transcription.yml",
                     "dynamic/voice_agent.yml"] {
            let text = try String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)
            let plan = try PipelineCompiler.compile(try PipelineParser.parse(text), registry: server.state.registry)
            #expect(plan.nodes.contains { $0.kind.hasPrefix("plugin::native::") }, "\(name)")
            checked.append(name)
        }
        #expect(checked.count == 6)
    }
}
