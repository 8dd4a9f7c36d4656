import Foundation
import Testing
import StreamKitCore
@testable import StreamKitServer

extension BrowserUITests {
    /// The speech plugins in the page: a live session's transcripts appear in the session monitor
    /// as they arrive; the oneshot view speaks text with piper-tts.yml (a playable result) and
    /// shows an NDJSON transcript as text.
    @Test func speechTranscriptsLiveAndTextToSpeechInTheOneshotView() async throws {
        try SpeechFixtures.requirePrepared()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("skit-speech-ui-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let clip = SpeechFixtures.clip([try SpeechFixtures.speak("Where is the nearest train station?"), try SpeechFixtures.speak("David has three brothers and two sisters.")], lead: 2.0, gap: 1.5)
        let wav = scratch.appendingPathComponent("speech.wav")
        try Data(SpeechFixtures.wav(clip.samples)).write(to: wav)
        try await withBrowser(configure: {
            $0.plugins.directory = SpeechFixtures.pluginDirectory
            $0.security.allowedFilePaths = [scratch.path + "/**"]
        }) { driver, server in
            // A live session reading the clip in real time: transcripts show up in its monitor.
            let yaml = """
                name: Live transcription from a file
                mode: dynamic
                nodes:
                  file: {kind: core::file_reader, params: {path: "\(wav.path)"}}
                  wav: {kind: containers::wav::demuxer, needs: file}
                  pacer: {kind: audio::pacer, needs: wav}
                  resample: {kind: audio::resampler, params: {target_sample_rate: 16000}, needs: pacer}
                  stt: {kind: plugin::native::moonshine, params: {model_dir: "\(SpeechFixtures.moonshineDir)", vad_model_path: "\(SpeechFixtures.vadModel)", min_silence_duration_ms: 400}, needs: resample}
                  transcripts: {kind: core::telemetry_out, params: {packet_types: [Transcription]}, needs: stt}
                """
            let created = try await server.postJSON("/api/v1/sessions", ["yaml": .string(yaml)])
            let session = try #require(created.json?["session_id"]?.stringValue, "\(created.text)")
            try await open(driver, server, "monitor/\(session)")
            let line = try await driver.wait("a live transcript", timeout: .seconds(60), script: """
                const items = [...document.querySelectorAll('#m-transcripts li')].map(li => li.textContent);
                return items.length ? items.join(' | ') : null
                """) { !$0.isNull }
            let text = (line.stringValue ?? "").lowercased()
            #expect(text.contains("station") || text.contains("brothers"), "\(line)")
            try await save(driver, "monitor-transcripts")

            // Oneshot: piper-tts.yml speaks the text field; the result plays (mono).
            try await open(driver, server, "oneshot")
            try await driver.wait("the samples", script: "return [...document.querySelectorAll('#o-sample option')].some(o => o.value.includes('piper-tts'))")
            try await driver.execute("""
                const select = document.getElementById('o-sample');
                select.value = [...select.options].find(o => o.value.includes('piper-tts')).value;
                select.dispatchEvent(new Event('change', {bubbles: true}));
                """)
            let takesText = try await driver.execute("return document.querySelector('input[name=o-input][value=text]').checked")
            #expect(takesText.boolValue == true)
            try await driver.click("#o-run")
            let channels = try await driver.wait("the spoken result", timeout: .seconds(60), script: "return document.getElementById('o-playback').dataset.channels || null") { !$0.isNull }
            #expect(channels.stringValue == "1")
            try await save(driver, "oneshot-tts")

            // An NDJSON result (text → speech → text) is shown as text.
            try await driver.execute("document.getElementById('o-yaml').value = arguments[0];", [.string("""
                mode: oneshot
                steps:
                  - kind: streamkit::http_input
                  - kind: core::text_chunker
                  - kind: plugin::native::piper
                    params: {model_dir: "\(SpeechFixtures.piperDir)", noise_scale: 0.333, noise_scale_w: 0.333}
                  - kind: audio::resampler
                    params: {target_sample_rate: 16000}
                  - kind: plugin::native::moonshine
                    params: {model_dir: "\(SpeechFixtures.moonshineDir)", vad_model_path: "\(SpeechFixtures.vadModel)"}
                  - kind: core::json_serialize
                    params: {newline_delimited: true}
                  - kind: streamkit::http_output
                    params: {content_type: application/json}
                """)])
            try await setField(driver, "#o-text", "The quick brown fox jumps over the lazy dog.")
            try await driver.click("#o-run")
            let shown = try await driver.wait("the transcript as text", timeout: .seconds(60), script: """
                const pre = document.getElementById('o-text-result');
                return !pre.hidden && pre.textContent.includes('Transcription') ? pre.textContent : null
                """) { !$0.isNull }
            #expect((shown.stringValue ?? "").lowercased().contains("fox"), "\(shown)")
            try await save(driver, "oneshot-transcript")
        }
    }
}

extension BrowserUITests {
    /// The live view's microphone flow with `live_transcription.yml` as shipped (only the model
    /// paths made absolute): Chromium's fake microphone plays a known espeak-ng sentence, the
    /// Microphone button streams it to the session, and the monitor shows Moonshine's transcript
    /// of it (WER ≤ 20 %).
    @Test func microphoneSpeechIsTranscribedLiveInTheMonitor() async throws {
        try SpeechFixtures.requirePrepared()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("skit-mic-speech-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // Chromium loops the file; the silence around the sentence gives the VAD a clean start and end.
        let sentence = "Where is the nearest train station?"
        let clip = SpeechFixtures.clip([try SpeechFixtures.speak(sentence)], lead: 1.0, gap: 0)
        let trailing = [Float](repeating: 0, count: 2 * SpeechFixtures.rate)
        let wav = scratch.appendingPathComponent("microphone.wav")
        try Data(SpeechFixtures.wav(clip.samples + trailing)).write(to: wav)
        let shipped = try String(contentsOf: PluginFixtures.repoRoot.appendingPathComponent("samples/pipelines/dynamic/live_transcription.yml"), encoding: .utf8)
        let yaml = shipped.replacingOccurrences(of: "models/", with: SpeechFixtures.models + "/")
        #expect(yaml != shipped, "the sample names its models under models/")
        try await withBrowser(browserArguments: ["--use-file-for-fake-audio-capture=\(wav.path)"], configure: {
            $0.plugins.directory = SpeechFixtures.pluginDirectory
        }) { driver, server in
            let created = try await server.postJSON("/api/v1/sessions", ["yaml": .string(yaml)])
            let session = try #require(created.json?["session_id"]?.stringValue, "\(created.text)")
            try await open(driver, server, "monitor/\(session)")
            try await driver.wait("the mic button", script: "return !!document.getElementById('m-mic') && !document.getElementById('m-mic').hidden")
            try await driver.wait("nodes running", timeout: .seconds(60), script: """
                return [...document.querySelectorAll('#m-graph .state')].every(s => s.dataset.state === 'running')
                """)
            try await driver.click("#m-mic")
            let line = try await driver.wait("a transcript of the microphone", timeout: .seconds(60), script: """
                const items = [...document.querySelectorAll('#m-transcripts li')].map(li => li.lastChild?.textContent ?? '');
                return items.length ? items[0] : null
                """) { !$0.isNull }
            let heard = line.stringValue ?? ""
            let wer = WordErrorRate.rate(reference: sentence, hypothesis: heard)
            print("speech: the browser microphone was heard as '\(heard)' (WER \(String(format: "%.1f", wer * 100)) %)")
            #expect(wer <= 0.2, "heard '\(heard)' for '\(sentence)'")
            try await save(driver, "monitor-microphone-transcript")
            try await driver.click("#m-mic")
        }
    }
}
