import Foundation
import Testing
import StreamKitCore

/// The quality bar's "keyboard reachable": a whole core flow driven with real key presses only
/// (Tab, Shift+Tab, Enter, arrows, typing, Ctrl shortcuts). Scripts only read the page's state;
/// every control is reached by Tab, and each one shows a visible focus ring when it gets there.
extension BrowserUITests {
    /// Presses Tab (or Shift+Tab) until the focused element matches `selector`, then checks that
    /// the focus is visible: `:focus-visible` matches and an outline is drawn (for a file input,
    /// on the label button that stands for it).
    func tab(_ driver: WebDriver, to selector: String, backwards: Bool = false, limit: Int = 120) async throws {
        for _ in 0..<limit {
            let there = try await driver.execute("return !!document.activeElement && document.activeElement.matches(arguments[0])", [.string(selector)])
            if there.boolValue == true {
                let ring = try await driver.execute("""
                    const el = document.activeElement;
                    const shown = el.classList.contains('file-input') ? el.nextElementSibling : el;
                    const style = getComputedStyle(shown);
                    return {visible: el.matches(':focus-visible'), outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
                    """)
                #expect(ring["visible"]?.boolValue == true && ring["outline"]?.stringValue != "none" && (ring["width"]?.doubleValue ?? 0) > 0,
                        "focus on \(selector) is not visible: \(ring)")
                return
            }
            try await driver.press(.tab, modifiers: backwards ? [.shift] : [])
        }
        let at = try await driver.execute("const e = document.activeElement; return e ? e.outerHTML.slice(0, 160) : null")
        throw WebDriver.Failure(description: "\(limit) Tab presses did not reach \(selector); focus is on \(at.jsonString())")
    }

    /// Replaces the focused field's text the way a keyboard user does: select all, type.
    func retype(_ driver: WebDriver, _ text: String) async throws {
        try await driver.press("a", modifiers: [.control])
        try await driver.typeKeys(text)
    }

    @Test func aPipelineIsBuiltStartedAndTunedWithTheKeyboardOnly() async throws {
        try await withBrowser { driver, server in
            try await open(driver, server, "designer")
            // Palette: search, then Tab to the node's button and press Enter. The first search is
            // reached forwards from the top of the page, later ones back from the palette.
            for (index, kind) in ["audio::tone", "audio::pacer", "audio::gain", "core::sink"].enumerated() {
                try await tab(driver, to: "#d-search", backwards: index > 0)
                try await retype(driver, kind)
                try await tab(driver, to: "#d-palette button[data-kind=\"\(kind)\"]")
                try await driver.press(.enter)
            }
            let ids = try await driver.execute("return window.streamkit.views.designer.nodes.map(n => n.id)")
            #expect(ids.arrayValue?.compactMap(\.stringValue) == ["tone", "pacer", "gain", "sink"], "\(ids)")

            // Pins: Enter on an output arms it, Enter on an input connects (focus stays on the pin,
            // so the next pin is further on in the tab order).
            for (from, to) in [("tone", "pacer"), ("pacer", "gain"), ("gain", "sink")] {
                try await tab(driver, to: ".gnode[data-node=\(from)] .pin.out")
                try await driver.press(.enter)
                try await tab(driver, to: ".gnode[data-node=\(to)] .pin.in")
                try await driver.press(.enter)
                // The graph is redrawn on connect; focus must come back to the same pin, not the page.
                let kept = try await driver.execute("return document.activeElement.matches(arguments[0])", [.string(".gnode[data-node=\(to)] .pin.in")])
                #expect(kept.boolValue == true, "focus lost after connecting \(from) → \(to)")
            }
            let edges = try await driver.execute("return window.streamkit.views.designer.edges.map(e => e.from + '>' + e.to)")
            #expect(edges.arrayValue?.compactMap(\.stringValue) == ["tone>pacer", "pacer>gain", "gain>sink"], "\(edges)")

            // A node: Enter selects it, arrows move it; its form is next in the tab order.
            try await tab(driver, to: ".gnode[data-node=tone] header", backwards: true)
            try await driver.press(.enter)
            let before = try await driver.execute("return window.streamkit.views.designer.nodes[0].y")
            try await driver.press(.down)
            let after = try await driver.execute("return window.streamkit.views.designer.nodes[0].y")
            #expect((after.doubleValue ?? 0) == (before.doubleValue ?? 0) + 10, "arrow down moved tone from \(before) to \(after)")
            try await tab(driver, to: "#d-tone-duration_ms")
            try await retype(driver, "0")
            try await driver.press(.tab) // leaving the field commits it
            let yaml = "return document.getElementById('d-yaml').value"
            let edited = try await driver.execute(yaml).stringValue ?? ""
            #expect(edited.contains("duration_ms: 0"), "\(edited)")

            // Undo from its button (Enter), redo with Ctrl+Shift+Z.
            try await tab(driver, to: "#d-undo", backwards: true)
            try await driver.press(.enter)
            let undone = try await driver.execute(yaml).stringValue ?? ""
            #expect(!undone.contains("duration_ms: 0") && undone.contains("duration_ms: 1000"), "undo should restore the default duration: \(undone)")
            try await driver.press("z", modifiers: [.control, .shift])
            let redone = try await driver.execute(yaml).stringValue ?? ""
            #expect(redone.contains("duration_ms: 0"), "redo should bring the endless tone back: \(redone)")

            // Start, then tune the gain in the monitor with the keyboard.
            try await tab(driver, to: "#d-start")
            try await driver.press(.enter)
            try await driver.wait("the monitor", script: "return location.hash.startsWith('#/monitor/') && document.querySelectorAll('#m-graph .gnode').length === 4")
            try await driver.wait("every node Running", timeout: .seconds(30), script: """
                return [...document.querySelectorAll('#m-graph .state')].every(s => s.dataset.state === 'running')
                """)
            try await tab(driver, to: "#m-gain-gain")
            try await retype(driver, "2")
            try await driver.press(.tab)
            try await driver.wait("nodeparamschanged", script: "return document.getElementById('m-params-log').textContent.includes('\"gain\":2')")
            // The slider is keyboard-driven too: one arrow step sends a new value.
            try await tab(driver, to: "#m-tune input[type=range][data-for=m-gain-gain]", backwards: true)
            try await driver.press(.left)
            try await driver.wait("the slider's value", script: """
                const log = document.getElementById('m-params-log').textContent; return log.includes('"gain":') && !log.includes('"gain":2}')
                """)

            // The view tabs are links: Shift+Tab back to them, Enter.
            try await tab(driver, to: "nav a[data-view=plugins]", backwards: true)
            try await driver.press(.enter)
            try await driver.wait("the plugins view", script: "return !document.getElementById('view-plugins').hidden")
            // The upload is a real file input in the tab order (its label button shows the focus).
            try await tab(driver, to: "#p-file")
            try await save(driver, "keyboard-plugins-focus")

            try await tab(driver, to: "nav a[data-view=monitor]", backwards: true)
            try await driver.press(.enter)
            try await tab(driver, to: "#m-destroy")
            try await driver.press(.enter)
            try await driver.wait("the session to go", script: "return document.getElementById('m-list').textContent.includes('No live sessions')")
        }
    }
}
