import Foundation
import Testing
import StreamKitCore

/// The designer reads YAML through the server (`POST api/v1/pipelines/parse`, the engine's parser):
/// what is typed becomes the graph the engine sees, and a mistake shows the engine's message.
extension BrowserUITests {
    /// Replaces the designer's YAML the way typing does (an `input` event).
    func typeYAML(_ driver: WebDriver, _ yaml: String) async throws {
        try await driver.execute("""
            const y = document.getElementById('d-yaml'); y.value = arguments[0]; y.dispatchEvent(new Event('input'));
            """, [.string(yaml)])
    }

    @Test func theDesignerShowsTheGraphTheServerReadsFromItsYAML() async throws {
        try await withBrowser { driver, server in
            try await open(driver, server, "designer")
            try await typeYAML(driver, """
                name: Read by the server
                mode: oneshot
                steps:
                  - kind: streamkit::http_input
                  - kind: audio::gain
                    params: {gain: 2}
                  - kind: streamkit::http_output
                """)
            try await driver.wait("YAML → graph", script: """
                return document.querySelectorAll('#d-canvas .gnode').length === 3 && document.getElementById('d-name').value === 'Read by the server'
                """)
            let graph = try await driver.execute("""
                const d = window.streamkit.views.designer;
                return {nodes: d.nodes.map(n => n.id + ':' + n.kind), edges: d.edges.map(e => `${e.from}.${e.fromPin}>${e.to}.${e.toPin}`),
                  gain: d.nodes[1].params.gain, mode: document.getElementById('d-mode').value,
                  asked: performance.getEntriesByType('resource').some(e => e.name.endsWith('/api/v1/pipelines/parse'))};
                """)
            #expect(graph["nodes"] == ["step_0:streamkit::http_input", "step_1:audio::gain", "step_2:streamkit::http_output"], "\(graph)")
            #expect(graph["edges"] == ["step_0.out>step_1.in", "step_1.out>step_2.in"], "\(graph)")
            #expect(graph["gain"]?.intValue == 2 && graph["mode"]?.stringValue == "oneshot", "\(graph)")
            #expect(graph["asked"]?.boolValue == true, "the designer should have asked the server to read its YAML")

            // A mistake: the engine's message, naming the line, under the box; the graph stays as it was.
            try await typeYAML(driver, "mode: oneshot\nsteps:\n  - kind: audio::gain\n    params: {gain: 2\n")
            let message = try await driver.wait("the parse error", script: """
                const box = document.getElementById('d-yaml'), msg = document.getElementById('d-yaml-msg');
                return box.classList.contains('invalid') && msg.classList.contains('error') ? msg.textContent : null;
                """) { !$0.isNull }
            #expect(message.stringValue?.contains("line") == true, "\(message)")
            let count = try await driver.execute("return window.streamkit.views.designer.nodes.length")
            #expect(count.intValue == 3)
            try await save(driver, "designer-yaml-error")
            // The browser logs the refused request itself; nothing else may have gone wrong.
            let logged = try await driver.consoleLog()
            #expect(logged.allSatisfy { $0.message.contains("pipelines/parse") && $0.message.contains("400") }, "\(logged)")
        }
    }
}
