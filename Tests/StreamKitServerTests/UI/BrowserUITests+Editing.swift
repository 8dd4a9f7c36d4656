import Foundation
import Testing
import StreamKitCore
@testable import StreamKitServer

/// The designer's editing history and sample saving: every kind of edit undoes and redoes back to
/// exactly the earlier graph and YAML, and a saved (or overwritten) sample shows up in every
/// view's picker without a reload.
extension BrowserUITests {
    /// The designer's graph and YAML as one comparable value.
    static let designerState = """
        const d = window.streamkit.views.designer;
        return JSON.stringify({nodes: d.nodes.map(n => [n.id, n.kind, n.x, n.y, n.params]), edges: d.edges.map(e => [e.from, e.fromPin, e.to, e.toPin]),
          name: d.meta.name, yaml: document.getElementById('d-yaml').value});
        """

    @Test func designerUndoesAndRedoesEveryKindOfEdit() async throws {
        try await withBrowser { driver, server in
            try await open(driver, server, "designer")
            func current() async throws -> String { try await driver.execute(Self.designerState).stringValue ?? "" }
            var states = [try await current()]
            func edited(_ what: String) async throws {
                let state = try await current()
                #expect(state != states.last, "\(what) changed nothing")
                states.append(state)
            }
            try await driver.click("#d-palette button[data-kind=\"audio::tone\"]")
            try await edited("add tone")
            try await driver.click("#d-palette button[data-kind=\"audio::gain\"]")
            try await edited("add gain")
            try await driver.click(".gnode[data-node=tone] .pin.out")
            try await driver.click(".gnode[data-node=gain] .pin.in")
            try await edited("connect")
            try await driver.click(".gnode[data-node=gain] header")
            try await setField(driver, "#d-gain-gain", "3")
            try await edited("param edit")
            // Three arrow presses on one node are one move (one undo step).
            for _ in 0..<3 { try await driver.press(.right) }
            try await edited("move")
            try await driver.execute("""
                const y = document.getElementById('d-yaml'); y.value = y.value.replace('gain: 3', 'gain: 4'); y.dispatchEvent(new Event('input'))
                """)
            try await driver.wait("YAML → graph", script: "return window.streamkit.views.designer.nodes[1].params.gain === 4")
            try await edited("YAML edit")
            try await driver.click("#d-inspector [data-edge]")
            try await edited("disconnect")
            try await driver.click(".gnode[data-node=tone] header")
            try await driver.press(.delete)
            try await edited("remove tone")

            // Ctrl+Z walks back through every state; the Undo button is disabled at the start.
            for expected in states.dropLast().reversed() {
                try await driver.press("z", modifiers: [.control])
                let state = try await current()
                #expect(state == expected, "undo went to\n\(state)\ninstead of\n\(expected)")
            }
            let undoDisabled = try await driver.execute("return document.getElementById('d-undo').disabled")
            #expect(undoDisabled.boolValue == true)
            // And forward again: Ctrl+Shift+Z, then the Redo button.
            for (index, expected) in states.dropFirst().enumerated() {
                if index % 2 == 0 { try await driver.press("z", modifiers: [.control, .shift]) } else { try await driver.click("#d-redo") }
                let state = try await current()
                #expect(state == expected, "redo went to\n\(state)\ninstead of\n\(expected)")
            }
            let redoDisabled = try await driver.execute("return document.getElementById('d-redo').disabled")
            #expect(redoDisabled.boolValue == true)
            try await save(driver, "designer-undo")
        }
    }

    @Test func aSavedSampleShowsUpInEveryPickerAtOnce() async throws {
        // Saving writes `<samples_dir>/user/`: work on a copy, never on the repository's samples.
        let samples = FileManager.default.temporaryDirectory.appendingPathComponent("skit-ui-samples-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: PluginFixtures.repoRoot.appendingPathComponent("samples/pipelines"), to: samples)
        defer { try? FileManager.default.removeItem(at: samples) }
        try await withBrowser(configure: { $0.server.samplesDir = samples.path }) { driver, server in
            try await open(driver, server, "oneshot")
            try await driver.wait("the oneshot samples", script: "return document.getElementById('o-sample').options.length > 0")
            try await open(driver, server, "designer")
            try await driver.wait("the designer samples", script: "return !!document.querySelector('#d-sample option[value=\"oneshot/double_volume_wav\"]')")
            try await setField(driver, "#d-sample", "oneshot/double_volume_wav")
            try await driver.click("#d-load")
            try await setField(driver, "#d-name", "Saved from the UI")
            try await driver.click("#d-save")
            let saved = try await driver.wait("the save", script: """
                const m = document.getElementById('d-msg'); return m.classList.contains('error') ? 'error: ' + m.textContent : (m.textContent.startsWith('Saved as') ? document.getElementById('d-sample').value : null)
                """) { !$0.isNull }
            let id = saved.stringValue ?? ""
            #expect(id.hasPrefix("user/"), "the designer should select the saved sample: \(saved)")

            // The oneshot view (hash route, no reload) lists it, and picking it shows its YAML.
            try await driver.execute("location.hash = '#/oneshot'")
            try await driver.wait("the saved sample in the oneshot picker", script: "return !!document.querySelector('#o-sample option[value=\"\(id)\"]')")
            try await setField(driver, "#o-sample", id)
            let firstYAML = try await driver.execute("return document.getElementById('o-yaml').value").stringValue ?? ""
            #expect(firstYAML.contains("gain: 2"), "\(firstYAML)")

            // Overwrite it with a different gain: the oneshot view, still on it, shows the new YAML.
            try await driver.execute("location.hash = '#/designer'")
            try await driver.wait("the designer", script: "return !document.getElementById('view-designer').hidden")
            try await driver.click(".gnode[data-node=step_2] header")
            try await setField(driver, "#d-step_2-gain", "3")
            try await driver.click("#d-save")
            try await driver.wait("the overwrite", script: "return document.getElementById('d-msg').textContent.startsWith('Replaced sample \(id)')")
            try await driver.execute("location.hash = '#/oneshot'")
            try await driver.wait("the overwritten YAML", script: """
                return document.getElementById('o-sample').value === '\(id)' && document.getElementById('o-yaml').value.includes('gain: 3')
                """)
            let listed = try await server.get("/api/v1/samples/oneshot")
            let copies = listed.json?.arrayValue?.filter { $0["id"]?.stringValue == id }.count
            #expect(copies == 1, "\(listed.text)")
            try await save(driver, "oneshot-saved-sample")
        }
    }
}
