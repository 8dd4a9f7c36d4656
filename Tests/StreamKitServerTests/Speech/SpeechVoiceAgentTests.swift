import Foundation
import Hummingbird
import HummingbirdWSClient
import Logging
import NIOCore
import StreamKitCore
import StreamKitNodes
@testable import StreamKitServer
import Synchronization
import Testing

/// samples/pipelines/dynamic/voice_agent.yml end to end, in a real server with the real speech
/// plugins: a question spoken by espeak-ng streams in over the microphone socket in real time,
/// Moonshine transcribes it, samples/scripts/voice_agent.js asks an OpenAI-compatible endpoint (a
/// local Hummingbird app standing in for the LLM, the only stand-in), Piper speaks the answer and
/// the speaker socket delivers it. The answer is transcribed back and compared with what the
/// stand-in said.
/// In SpeechPluginTests (serialized) so that it never streams in real time beside another speech test.
extension SpeechPluginTests {
    static let agentQuestion = "Where is the nearest train station?"
    static let agentAnswer = "The nearest train station is five minutes from here. Walk straight down this road."
    static let agentModel = "local-test-model"

    /// The local chat-completions stand-in: what it was sent, and when.
    final class Upstream: Sendable {
        struct Call: Sendable {
            var authorization: String
            var body: String
        }
        let calls = Mutex<[Call]>([])
    }

    /// What arrives on the speaker socket, in order.
    enum Heard: Sendable {
        case attached(String)
        case audio([Float], ContinuousClock.Instant)
    }

    @Test(
        "voice_agent.yml: a spoken question comes back as the endpoint's spoken answer (WER ≤ 25 %), the key only in its header",
        .enabled(if: SpeechFixtures.isPrepared, "the speech plugins or models are not built: run `make speech` (make test does)"))
    func voiceAgentSample() async throws {
        try SpeechFixtures.requirePrepared()
        let secret = "sk-voice-\(UUID().uuidString)"

        // The LLM stand-in on loopback.
        let upstream = Upstream()
        let router = Router()
        router.post("/v1/chat/completions") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            upstream.calls.withLock { $0.append(.init(authorization: request.headers[.authorization] ?? "", body: String(buffer: body))) }
            let reply: JSONValue = [
                "id": "chatcmpl-local", "object": "chat.completion", "model": .string(Self.agentModel),
                "choices": [["index": 0, "finish_reason": "stop", "message": ["role": "assistant", "content": .string(Self.agentAnswer)]]],
            ]
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: reply.jsonString())))
        }
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let llm = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0); portContinuation.finish() }
        )
        let llmTask = Task { try await llm.runService() }
        defer { llmTask.cancel() }
        var portIterator = ports.makeAsyncIterator()
        let port = try #require(await portIterator.next())
        let chatURL = "http://127.0.0.1:\(port)/v1/chat/completions"

        // The server as voice_agent.toml configures it, with the stand-in's URL and the key from the environment.
        let scripts = SpeechFixtures.root.appendingPathComponent("samples/scripts").path
        let server = try await TestServer.start(environment: ["SKIT_TEST_VOICE_KEY": secret]) { configuration in
            configuration.plugins.directory = SpeechFixtures.pluginDirectory
            configuration.security.allowedFilePaths = [scripts + "/**"]
            configuration.script.secrets["openai"] = .init(env: "SKIT_TEST_VOICE_KEY", type: .token)
            configuration.script.globalFetchAllowlist = [.init(url: chatURL, methods: ["POST"])]
        }
        defer { Task { await server.stop() } }
        let client = try await ControlTestClient.connect(server.controlURL)

        // The sample as shipped; only the endpoint and model differ (and paths made absolute, since
        // the test's working directory need not be the repository).
        let sample = try String(contentsOf: SpeechFixtures.root.appendingPathComponent("samples/pipelines/dynamic/voice_agent.yml"), encoding: .utf8)
        var yaml = sample
        for (from, to) in [
            ("chat_url: https://api.openai.com/v1/chat/completions", "chat_url: \(chatURL)"),
            ("model: gpt-4o-mini", "model: \(Self.agentModel)"),
            ("script_path: samples/scripts/voice_agent.js", "script_path: \(scripts)/voice_agent.js"),
            ("model_dir: models/", "model_dir: \(SpeechFixtures.models)/"),
            ("vad_model_path: models/", "vad_model_path: \(SpeechFixtures.models)/"),
        ] {
            #expect(yaml.contains(from), "voice_agent.yml no longer has '\(from)'")
            yaml = yaml.replacingOccurrences(of: from, with: to)
        }
        let created = try await server.postJSON("/api/v1/sessions", ["yaml": .string(yaml)])
        let session = try #require(created.json?["session_id"]?.stringValue, "\(created.text)")
        let registered = ContinuousClock.now + .seconds(60)
        while MediaEndpoints.shared.input(session: session, node: "mic") == nil || MediaEndpoints.shared.output(session: session, node: "speaker") == nil {
            guard ContinuousClock.now < registered else { Issue.record("the media endpoints never registered"); return }
            try await Task.sleep(for: .milliseconds(20))
        }

        // The speaker: every message, in order, as a stream the test awaits.
        let (heard, heardContinuation) = AsyncStream<Heard>.makeStream()
        let speaker = Task {
            defer { heardContinuation.finish() }
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(server.port)/api/v1/sessions/\(session)/media/speaker", logger: Logger(label: "voice-speaker")) { inbound, _, _ in
                var format = PCMFormat(sampleRate: 48_000, channels: 1, sampleFormat: .f32le)
                for try await message in inbound.messages(maxSize: 1 << 24) {
                    switch message {
                    case .text(let text):
                        if let json = try? JSONValue.parse(text), let announced = PCMFormat.parse(json, base: format) { format = announced }
                        heardContinuation.yield(.attached(text))
                    case .binary(let buffer):
                        heardContinuation.yield(.audio(format.decode(buffer.readableBytesView), ContinuousClock.now))
                    }
                }
            }
        }
        defer { speaker.cancel() }
        var heardIterator = heard.makeAsyncIterator()
        // The output endpoint announces itself to every listener at once: attached before any audio.
        guard case .attached(let announcement)? = await heardIterator.next() else {
            Issue.record("the speaker socket closed before announcing its format")
            return
        }
        #expect(announcement.contains("pcm"), "\(announcement)")

        // Stage timings: when each event reached the control client.
        func arrival(_ type: String, _ extra: @escaping @Sendable (JSONValue) -> Bool = { _ in true }) -> Task<(JSONValue, ContinuousClock.Instant), any Error> {
            Task {
                let event = try await client.event(timeout: .seconds(90)) { payload in
                    payload.has("event", "nodetelemetry") && payload.has("session_id", session) && payload["data"]?["event_type"]?.stringValue == type
                        && extra(payload["data"] ?? .null)
                }
                return (event, ContinuousClock.now)
            }
        }
        let transcribed = arrival("stt.result")
        let turnStarted = arrival("agent.turn.start")
        let llmDone = arrival("agent.llm")
        let firstSentence = arrival("tts.sentence") { $0["sentence"]?.intValue == 1 }
        let lastSentence = arrival("tts.sentence") { $0["sentence"]?.intValue == 2 }

        // The microphone: 0.5 s of silence, the question, then silence in real time until the answer is in.
        let speech = try SpeechFixtures.speak(Self.agentQuestion)
        let rate = SpeechFixtures.rate
        let block = rate / 50  // 20 ms
        let lead = [Float](repeating: 0, count: rate / 2)
        let audio = lead + speech
        let speechEndBlock = (audio.count + block - 1) / block
        let endOfSpeech = Mutex<ContinuousClock.Instant?>(nil)
        let (spoken, spokenContinuation) = AsyncStream<ContinuousClock.Instant>.makeStream()
        let microphone = Task {
            let format = PCMFormat(sampleRate: rate, channels: 1, sampleFormat: .s16le)
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(server.port)/api/v1/sessions/\(session)/media/mic", logger: Logger(label: "voice-mic")) { _, outbound, _ in
                try await outbound.write(.text(#"{"sample_rate":\#(rate),"channels":1,"sample_format":"s16le"}"#))
                let silence = [Float](repeating: 0, count: block)
                let start = ContinuousClock.now
                // Each 20 ms block leaves on its own deadline, the pacing of a microphone; at most 60 s.
                for index in 0..<(60 * 50) {
                    try await Task.sleep(until: start + .milliseconds(20 * index), clock: .continuous)
                    let offset = index * block
                    let samples = offset < audio.count ? Array(audio[offset..<min(audio.count, offset + block)]) : silence
                    try await outbound.write(.binary(.init(bytes: format.encode(samples))))
                    if index + 1 == speechEndBlock {
                        let now = ContinuousClock.now
                        endOfSpeech.withLock { $0 = now }
                        spokenContinuation.yield(now)
                        spokenContinuation.finish()
                    }
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
        }
        defer { microphone.cancel() }
        var spokenIterator = spoken.makeAsyncIterator()
        let speechEnded = try #require(await spokenIterator.next(), "the microphone stopped before the end of the question")

        // The answer: the first audio, then everything up to the second sentence's length.
        var samples: [Float] = []
        var firstAudio: ContinuousClock.Instant?
        let (last, _) = try await lastSentence.value
        let first = try await firstSentence.value.0
        let audioMs = (first["data"]?["audio_ms"]?.doubleValue ?? 0) + (last["data"]?["audio_ms"]?.doubleValue ?? 0)
        let expected = Int(audioMs / 1000 * 48_000 * 0.97)
        while samples.count < expected, let message = await heardIterator.next() {
            if case .audio(let chunk, let at) = message {
                if firstAudio == nil { firstAudio = at }
                samples += chunk
            }
        }
        microphone.cancel()
        let heardAudio = try #require(firstAudio, "no answer audio on the speaker socket")
        #expect(samples.count >= expected, "\(samples.count) samples of the \(expected) the two sentences made")

        // What the answer sounds like, through the STT plugin once more.
        let reply = try await server.process(
            yaml: SpeechFixtures.ndjsonPipeline(SpeechFixtures.moonshineStep()), media: SpeechFixtures.wav(samples, rate: 48_000), mediaType: "audio/wav",
            timeout: .seconds(60))
        #expect(reply.status == 200, "\(reply.text)")
        let answerHeard = SpeechFixtures.transcriptions(reply.text).compactMap { $0["text"]?.stringValue }.joined(separator: " ")
        let wer = WordErrorRate.rate(reference: Self.agentAnswer, hypothesis: answerHeard)
        print("voice agent: heard the answer as '\(answerHeard)' (WER \(String(format: "%.1f", wer * 100)) %)")
        #expect(wer <= 0.25, "WER \(wer): heard '\(answerHeard)' for '\(Self.agentAnswer)'")

        // The stand-in was asked once, with the question (as Moonshine heard it), the model from
        // vars and the key from the environment in its header only.
        let calls = upstream.calls.withLock { $0 }
        #expect(calls.count == 1, "\(calls.map(\.body))")
        #expect(calls.allSatisfy { $0.authorization == "Bearer \(secret)" }, "\(calls.map(\.authorization))")
        let request = try JSONValue.parse(calls.first?.body ?? "{}")
        #expect(request["model"]?.stringValue == Self.agentModel)
        // The question as Moonshine heard it (live STT accuracy is liveTranscription's to check).
        let asked = request["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
        let (sttEvent, sttAt) = try await transcribed.value
        let sttText = (sttEvent["data"]?["text_preview"]?.stringValue ?? sttEvent["data"]?["text"]?.stringValue ?? "").trimmingCharacters(in: .whitespaces)
        #expect(!asked.isEmpty && (asked.contains(sttText) || sttText.contains(asked)), "asked '\(asked)', transcribed '\(sttText)'")
        print("voice agent: asked '\(asked)' (WER \(String(format: "%.1f", WordErrorRate.rate(reference: Self.agentQuestion, hypothesis: asked) * 100)) % against what was spoken)")
        #expect(!client.events.contains { $0.jsonString().contains(secret) }, "the key leaked into an event")

        // Latency: end of speech → first answer audio, by stage.
        let (_, turnAt) = try await turnStarted.value
        let (llmEvent, llmAt) = try await llmDone.value
        let (_, sentenceAt) = try await firstSentence.value
        func ms(_ duration: Duration) -> String { String(format: "%.0f ms", duration.seconds * 1000) }
        let total = heardAudio - speechEnded
        print("""
            voice agent latency, end of speech → first answer audio: \(ms(total))
              stt.result          +\(ms(sttAt - speechEnded))  ('\(sttEvent["data"]?["text_preview"]?.stringValue ?? sttEvent["data"]?["text"]?.stringValue ?? "")'; 400 ms of it is the VAD's end-of-speech silence)
              agent.turn.start    +\(ms(turnAt - speechEnded))
              agent.llm           +\(ms(llmAt - speechEnded))  (span \(String(format: "%.0f", llmEvent["data"]?["latency_ms"]?.doubleValue ?? -1)) ms)
              tts.sentence 1      +\(ms(sentenceAt - speechEnded))  (synthesis \(String(format: "%.0f", first["data"]?["synthesis_ms"]?.doubleValue ?? -1)) ms for \(first["data"]?["audio_ms"]?.intValue ?? 0) ms of audio)
              first audio         +\(ms(total))
            """)
        // Target 1 s with a local endpoint; the guard allows for a loaded CI machine.
        #expect(total < .seconds(4), "first answer audio \(total) after the end of speech")
        _ = try await client.request(["action": "destroysession", "session_id": .string(session)])
        await client.close()
    }
}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
