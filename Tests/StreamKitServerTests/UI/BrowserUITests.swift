import Foundation
import Testing
import StreamKitCore
@testable import StreamKitServer

/// The web UI in a real browser (headless Chromium via chromedriver) against a real server:
/// each view loads without console errors, the designer builds and starts a pipeline whose
/// nodes turn Running, tuning reaches the server, telemetry shows up, a oneshot returns audio
/// with the expected level (every channel played), plugins upload, reload and delete.
/// Screenshots of each view go to `.build/ui-screenshots/`.
@Suite("Web UI in headless Chromium", .serialized)
struct BrowserUITests {
    static let screenshots = PluginFixtures.repoRoot.appendingPathComponent(".build/ui-screenshots")

    /// A browser on a fresh server; console errors fail the test at the end.
    func withBrowser(
        width: Int = 1280, height: Int = 800, browserArguments: [String] = [], configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: (WebDriver, TestServer) async throws -> Void
    ) async throws {
        let server = try await TestServer.start { configuration in
            configuration.server.samplesDir = PluginFixtures.repoRoot.appendingPathComponent("samples/pipelines").path
            configure(&configuration)
        }
        let driver: WebDriver
        do { driver = try await WebDriver.start(width: width, height: height, browserArguments: browserArguments) } catch {
            await server.stop()
            throw error
        }
        do {
            try await body(driver, server)
            let problems = try await driver.consoleLog().filter { $0.level == "SEVERE" || $0.level == "WARNING" }
            #expect(problems.isEmpty, "browser console: \(problems.map(\.message))")
        } catch {
            await driver.quit()
            await server.stop()
            throw error
        }
        await driver.quit()
        await server.stop()
    }

    func save(_ driver: WebDriver, _ name: String) async throws {
        try FileManager.default.createDirectory(at: Self.screenshots, withIntermediateDirectories: true)
        let url = Self.screenshots.appendingPathComponent("\(name).png")
        try await driver.screenshot().write(to: url)
        print("ui screenshot: \(url.path)")
    }

    /// Opens a view and waits until the app has drawn it.
    func open(_ driver: WebDriver, _ server: TestServer, _ hash: String) async throws {
        try await driver.navigate(server.baseURL + "/#/" + hash)
        try await driver.wait("the app to start", script: "return !!(window.streamkit && window.streamkit.views && window.streamkit.definitions.size > 0)")
    }

    /// Sets a form field the way a user's edit would end: value, then `change`.
    func setField(_ driver: WebDriver, _ selector: String, _ value: String) async throws {
        try await driver.execute("""
            const el = document.querySelector(arguments[0]); if (!el) throw new Error('no field ' + arguments[0]);
            el.value = arguments[1]; el.dispatchEvent(new Event('change', {bubbles: true}));
            """, [.string(selector), .string(value)])
    }

    @Test func everyViewLoadsWithoutConsoleErrorsAtBothSizes() async throws {
        try await withBrowser { driver, server in
            for view in ["designer", "monitor", "telemetry", "oneshot", "plugins"] {
                try await open(driver, server, view)
                try await driver.wait("\(view) to show", script: "return !document.getElementById('view-\(view)').hidden")
                try await driver.wait("the control socket", script: "return document.getElementById('conn').textContent === 'live'")
                try await save(driver, "\(view)-1280x800")
            }
            // A narrow window: the layout stacks, nothing overflows sideways, and every view still works.
            try await driver.setWindow(width: 480, height: 800)
            for view in ["designer", "monitor", "telemetry", "oneshot", "plugins"] {
                try await open(driver, server, view)
                let overflow = try await driver.execute("return document.documentElement.scrollWidth - window.innerWidth")
                #expect((overflow.doubleValue ?? 99) <= 1, "\(view) overflows a narrow window by \(overflow) px")
                try await save(driver, "\(view)-narrow")
            }
            // Keyboard: the nav links and the palette are reachable with Tab.
            let focusable = try await driver.execute("return [...document.querySelectorAll('nav a, #d-palette button')].every(e => e.tabIndex >= 0)")
            #expect(focusable.boolValue == true)
        }
    }

    @Test func designerBuildsAPipelineThatRunsAndTunesLive() async throws {
        try await withBrowser { driver, server in
            try await open(driver, server, "designer")
            try await driver.type("#d-search", "audio")
            try await driver.wait("the palette filter", script: "return !document.querySelector('#d-palette button[data-kind=\"core::sink\"]')")
            try await driver.execute("const s = document.querySelector('#d-search'); s.value = ''; s.dispatchEvent(new Event('input'))")
            for kind in ["audio::tone", "audio::pacer", "audio::gain", "core::telemetry_tap", "core::sink", "core::text_chunker"] {
                try await driver.click("#d-palette button[data-kind=\"\(kind)\"]")
            }
            // An incompatible link is refused on the spot, naming both types.
            try await driver.click(".gnode[data-node=tone] .pin.out")
            try await driver.click(".gnode[data-node=text_chunker] .pin.in")
            let refusal = try await driver.execute("return document.getElementById('d-msg').textContent")
            #expect(refusal.stringValue?.contains("Incompatible connection") == true, "\(refusal)")
            #expect(refusal.stringValue?.contains("RawAudio") == true && refusal.stringValue?.contains("Text") == true, "\(refusal)")
            try await save(driver, "designer-refused-connection")
            try await driver.click(".gnode[data-node=text_chunker] header")
            try await driver.click("#d-inspector .remove-node")

            for (from, to) in [("tone", "pacer"), ("pacer", "gain"), ("gain", "telemetry_tap"), ("telemetry_tap", "sink")] {
                try await driver.click(".gnode[data-node=\(from)] .pin.out")
                try await driver.click(".gnode[data-node=\(to)] .pin.in")
            }
            // Params from the schema form: an endless tone, a frequent level report.
            try await driver.click(".gnode[data-node=tone] header")
            try await setField(driver, "#d-tone-duration_ms", "0")
            try await driver.click(".gnode[data-node=telemetry_tap] header")
            try await setField(driver, "#d-telemetry_tap-audio_sample_interval_ms", "200")
            let yaml = try await driver.execute("return document.getElementById('d-yaml').value").stringValue ?? ""
            #expect(yaml.contains("needs: telemetry_tap") && yaml.contains("duration_ms: 0"), "\(yaml)")
            // And the other way: editing the YAML changes the graph.
            try await driver.execute("""
                const y = document.getElementById('d-yaml'); y.value = y.value.replace('name: My pipeline', 'name: Browser test');
                y.dispatchEvent(new Event('input'))
                """)
            try await driver.wait("YAML → form", script: "return document.getElementById('d-name').value === 'Browser test'")
            try await save(driver, "designer-pipeline")

            try await driver.click("#d-start")
            try await driver.wait("the monitor", script: "return location.hash.startsWith('#/monitor/') && document.querySelectorAll('#m-graph .gnode').length === 5")
            let session = try await driver.execute("return decodeURIComponent(location.hash.slice('#/monitor/'.length))").stringValue ?? ""
            try await driver.wait("every node Running", timeout: .seconds(30), script: """
                return [...document.querySelectorAll('#m-graph .state')].map(s => s.dataset.state)
                """) { value in value.arrayValue?.allSatisfy { $0.stringValue == "running" } == true }
            try await driver.wait("stats to arrive", script: "return /in [1-9]/.test(document.querySelector('#m-graph .gnode[data-node=gain] .stats').textContent)")

            // Streaming events must not move the page: the tune panel stays where it is.
            let before = try await driver.execute("return document.getElementById('m-tune').getBoundingClientRect().top")
            try await Task.sleep(for: .seconds(2))
            let after = try await driver.execute("return document.getElementById('m-tune').getBoundingClientRect().top")
            #expect(before == after, "layout moved while events streamed: \(before) → \(after)")

            try await setField(driver, "#m-gain-gain", "2")
            try await driver.wait("nodeparamschanged", script: "return document.getElementById('m-params-log').textContent.includes('\"gain\":2')")
            try await save(driver, "monitor-running")

            try await driver.navigate(server.baseURL + "/#/telemetry")
            try await driver.wait("telemetry on the timeline", script: "return document.querySelectorAll('#t-log div[data-type=nodetelemetry]').length > 0")
            try await driver.type("#t-filter", "state")
            try await driver.wait("the filter", script: "return [...document.querySelectorAll('#t-log div')].every(d => d.dataset.type === 'nodestatechanged')")
            try await save(driver, "telemetry-timeline")

            try await driver.navigate(server.baseURL + "/#/monitor/\(session)")
            try await driver.wait("the destroy button", script: "return !!document.getElementById('m-destroy')")
            try await driver.click("#m-destroy")
            try await driver.wait("the session list to empty", script: "return document.getElementById('m-list').textContent.includes('No live sessions')")
            let left = try await server.get("/api/v1/sessions")
            #expect(left.json?.arrayValue?.isEmpty == true, "\(left.text)")
        }
    }

    @Test func burstsOfEventsDoNotFreezeThePage() async throws {
        try await withBrowser { driver, server in
            try await open(driver, server, "telemetry")
            // 400 events, 20 every 100 ms (200 a second), through the real event path; the longest frame gap stays small.
            let gap = try await driver.execute("""
                return (async () => {
                const app = window.streamkit; let last = performance.now(), worst = 0, running = true;
                const tick = () => { const now = performance.now(); worst = Math.max(worst, now - last); last = now; if (running) requestAnimationFrame(tick); };
                requestAnimationFrame(tick);
                let n = 0;
                await new Promise(done => { const timer = setInterval(() => {
                  for (let i = 0; i < 20; i++) app.control.receive(JSON.stringify({type: 'event', payload: {event: 'nodetelemetry', session_id: 's', node_id: 'node' + (n % 8), type_id: 'core::telemetry', data: {event_type: 'audio.level', rms: Math.random()}, timestamp: new Date().toISOString()}})), n++;
                  if (n >= 400) { clearInterval(timer); done(); }
                }, 100); });
                running = false;
                return {worst, n};
                })();
                """)
            // One frame per 16 ms; a frozen page would show gaps of seconds. Allow for a busy CI box.
            #expect((gap["worst"]?.doubleValue ?? 9999) < 500, "longest frame gap \(gap)")
            let count = try await driver.execute("return window.streamkit.views.telemetry.count")
            #expect((count.doubleValue ?? 0) >= 400, "\(count)")
            try await save(driver, "telemetry-burst")
        }
    }

    @Test func oneshotRunsTheBundledToneAndPlaysTheResult() async throws {
        try await withBrowser { driver, server in
            try await open(driver, server, "oneshot")
            try await driver.wait("the samples", script: "return document.getElementById('o-yaml').value.includes('audio::gain')")
            try await driver.click("#o-run")
            let rms = try await driver.wait("the result", timeout: .seconds(30), script: "return document.getElementById('o-info').dataset.rms || null") { $0.stringValue?.isEmpty == false }
            // The bundled tone is a 0.25-amplitude sine (RMS 0.177); "Double volume" doubles it.
            let level = Double(rms.stringValue ?? "") ?? 0
            #expect(abs(level - 0.25 * 2 / 2.0.squareRoot()) < 0.01, "result RMS \(level)")
            let playable = try await driver.execute("return document.getElementById('o-audio').src.startsWith('blob:') && !!document.getElementById('o-download').href")
            #expect(playable.boolValue == true)
            try await save(driver, "oneshot-result")

            // A stereo result plays both channels: the same tone up-mixed to two channels comes
            // back, and the page's decoder has both at the tone's level.
            try await driver.execute("""
                document.getElementById('o-yaml').value = arguments[0];
                """, [.string("""
                mode: oneshot
                steps:
                  - kind: streamkit::http_input
                  - kind: containers::wav::demuxer
                  - kind: audio::resampler
                    params: {target_sample_rate: 48000, channels: 2}
                  - kind: containers::wav::muxer
                  - kind: streamkit::http_output
                """)])
            try await driver.click("#o-run")
            let stereo = try await driver.wait("the stereo result", timeout: .seconds(30), script: """
                const p = document.getElementById('o-playback').dataset; return p.channels ? {channels: Number(p.channels), rms: JSON.parse(p.channelRms)} : null
                """) { !$0.isNull }
            let levels = stereo["rms"]?.arrayValue?.compactMap(\.doubleValue) ?? []
            #expect(stereo["channels"]?.intValue == 2 && levels.count == 2, "\(stereo)")
            for level in levels { #expect(abs(level - 0.25 / 2.0.squareRoot()) < 0.01, "channel RMS \(levels)") }
            try await save(driver, "oneshot-stereo")
        }
    }

    @Test func pluginsUploadAndNameTheSettingWhenDisabled() async throws {
        let plugin = try PluginFixtures.gainC()
        try await withBrowser(configure: { $0.plugins.allowHTTPManagement = true }) { driver, server in
            try await open(driver, server, "plugins")
            try await driver.wait("the empty list", script: "return document.getElementById('p-list').textContent.includes('No plugins')")
            // Drag and drop: a real File (picked into the oneshot view's file input, which shares
            // the page) dropped on the zone the way the browser delivers a drop.
            try await driver.type("#o-file", plugin)
            try await driver.execute("""
                const file = document.getElementById('o-file').files[0], zone = document.getElementById('p-drop');
                const data = new DataTransfer(); data.items.add(file);
                zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: data, bubbles: true, cancelable: true}));
                zone.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
                """)
            try await driver.wait("the dropped plugin", timeout: .seconds(30), script: "return document.getElementById('p-list').textContent.includes('plugin::native::')")
            try await driver.wait("the palette to list it", script: "return [...window.streamkit.definitions.keys()].some(k => k.startsWith('plugin::native::'))")
            try await driver.wait("version 1", script: "return document.querySelector('#p-list tr[data-kind] .version').textContent.startsWith('v1 ')")
            try await save(driver, "plugins-uploaded")
            // Reload, twice: the picker above the list, then the row's own Reload input. The server
            // swaps the plugin in place and the row shows each new version.
            try await driver.type("#p-file", plugin)
            try await driver.wait("version 2", timeout: .seconds(30), script: """
                return document.querySelector('#p-list tr[data-kind] .version').textContent.startsWith('v2 ') && document.getElementById('p-msg').textContent.includes('now version 2')
                """)
            try await driver.type("#p-list input[data-reload]", plugin)
            try await driver.wait("version 3", timeout: .seconds(30), script: """
                const row = document.querySelector('#p-list tr[data-kind]');
                return row.querySelector('.version').textContent.startsWith('v3 ') && row.querySelector('.msg').textContent.includes('Reloaded')
                """)
            let listed = try await server.get("/api/v1/plugins")
            let versions = listed.json?.arrayValue?.map { $0["version"]?.intValue }
            #expect(versions == [3], "\(listed.text)")
            try await save(driver, "plugins-reloaded")
            try await driver.click("#p-list button[data-delete]")
            try await driver.wait("the list to empty", script: "return document.getElementById('p-list').textContent.includes('No plugins')")
        }
        try await withBrowser { driver, server in
            try await open(driver, server, "plugins")
            try await driver.wait("the disabled notice", script: "return document.getElementById('p-disabled').textContent.includes('allow_http_management')")
            try await save(driver, "plugins-disabled")
        }
    }
}

extension BrowserUITests {
    /// Chromium's fake microphone (a beep) streamed by the monitor's Microphone button into a
    /// session's `transport::websocket::input`, through `audio::gain` 0.5, back out of
    /// `transport::websocket::output` to the page: what returns has half the level of what went.
    @Test func microphoneThroughALiveSessionComesBackWithTheGain() async throws {
        try await withBrowser { driver, server in
            let yaml = try String(contentsOf: PluginFixtures.repoRoot.appendingPathComponent("samples/pipelines/dynamic/microphone_gain.yml"), encoding: .utf8)
            let created = try await server.postJSON("/api/v1/sessions", ["yaml": .string(yaml)])
            let session = try #require(created.json?["session_id"]?.stringValue, "\(created.text)")
            try await open(driver, server, "monitor/\(session)")
            try await driver.wait("the mic button", script: "return !!document.getElementById('m-mic') && !document.getElementById('m-mic').hidden")
            try await driver.wait("nodes running", script: """
                return [...document.querySelectorAll('#m-graph .state')].every(s => s.dataset.state === 'running')
                """)
            try await driver.click("#m-mic")
            let levels = try await driver.wait("3 s of audio back", timeout: .seconds(30), script: """
                const d = document.getElementById('m-live').dataset;
                return Number(d.receivedSamples || 0) >= 144000 ? {sent: Number(d.sentRms), received: Number(d.receivedRms)} : null
                """) { !$0.isNull }
            let sent = levels["sent"]?.doubleValue ?? 0, received = levels["received"]?.doubleValue ?? 0
            #expect(sent > 0.005, "the fake microphone should be audible: \(levels)")
            #expect(abs(received / max(sent, 1e-9) - 0.5) < 0.05, "gain 0.5 expected: \(levels)")
            // Every channel the session returns is played: the player reports what it put on each.
            let played = try await driver.execute("return JSON.parse(document.getElementById('m-live').dataset.playedRms || '[]')")
            let playedLevels = played.arrayValue?.compactMap(\.doubleValue) ?? []
            #expect(playedLevels.count == 1 && (playedLevels.first ?? 0) > 0.001, "mono played: \(played)")
            try await save(driver, "monitor-microphone")
            try await driver.click("#m-mic")
        }
    }

    /// The same microphone through a session that up-mixes to stereo: both channels come back
    /// and both are played, at the level that went in times the gain.
    @Test func aStereoSessionIsPlayedOnBothChannels() async throws {
        try await withBrowser { driver, server in
            let yaml = """
                name: Microphone to stereo
                mode: dynamic
                nodes:
                  mic:
                    kind: transport::websocket::input
                    params: {sample_rate: 48000, channels: 1, jitter_buffer_ms: 200}
                  stereo:
                    kind: audio::resampler
                    params: {target_sample_rate: 48000, channels: 2}
                    needs: mic
                  gain:
                    kind: audio::gain
                    params: {gain: 0.5}
                    needs: stereo
                  speaker:
                    kind: transport::websocket::output
                    needs: gain
                """
            let created = try await server.postJSON("/api/v1/sessions", ["yaml": .string(yaml)])
            let session = try #require(created.json?["session_id"]?.stringValue, "\(created.text)")
            try await open(driver, server, "monitor/\(session)")
            try await driver.wait("nodes running", script: """
                return !!document.getElementById('m-mic') && [...document.querySelectorAll('#m-graph .state')].every(s => s.dataset.state === 'running')
                """)
            try await driver.click("#m-mic")
            let levels = try await driver.wait("2 s of stereo back", timeout: .seconds(30), script: """
                const d = document.getElementById('m-live').dataset, played = JSON.parse(d.playedRms || '[]');
                return Number(d.receivedSamples || 0) >= 96000 && played.length === 2
                  ? {channels: Number(d.channels), sent: Number(d.sentRms), received: Number(d.receivedRms), played} : null
                """) { !$0.isNull }
            let sent = levels["sent"]?.doubleValue ?? 0, received = levels["received"]?.doubleValue ?? 0
            let played = levels["played"]?.arrayValue?.compactMap(\.doubleValue) ?? []
            #expect(levels["channels"]?.intValue == 2, "\(levels)")
            #expect(abs(received / max(sent, 1e-9) - 0.5) < 0.05, "gain 0.5 expected: \(levels)")
            #expect(played.count == 2 && played.allSatisfy { abs($0 / max(received, 1e-9) - 1) < 0.2 }, "both channels played at the received level: \(levels)")
            try await save(driver, "monitor-stereo")
            try await driver.click("#m-mic")
        }
    }
}
