/// The web UI files compiled into the binary (SwiftPM `.embedInCode` resources), by URL path.
///
/// Embedding keeps `skit` one self-contained file: the UI works whatever the working directory,
/// with no resource bundle to ship beside the binary. Adding a file means adding it here and to
/// the `resources` of the StreamKitServer target in Package.swift.
enum UIFiles {
    /// Every path the UI is served under, relative to `/`.
    static let names = [
        "index.html", "app.css",
        "js/app.js", "js/api.js", "js/yaml.js", "js/schemaform.js", "js/designer.js",
        "js/monitor.js", "js/telemetry.js", "js/oneshot.js", "js/plugins.js", "js/wav.js", "js/graph.js",
        "js/live-audio.js", "js/pcm-worklet.js", "js/history.js",
    ]

    /// The bytes of one embedded file.
    static func embedded(_ name: String) -> [UInt8]? {
        switch name {
        case "index.html": PackageResources.index_html
        case "app.css": PackageResources.app_css
        case "js/app.js": PackageResources.app_js
        case "js/api.js": PackageResources.api_js
        case "js/yaml.js": PackageResources.yaml_js
        case "js/schemaform.js": PackageResources.schemaform_js
        case "js/designer.js": PackageResources.designer_js
        case "js/monitor.js": PackageResources.monitor_js
        case "js/telemetry.js": PackageResources.telemetry_js
        case "js/oneshot.js": PackageResources.oneshot_js
        case "js/plugins.js": PackageResources.plugins_js
        case "js/wav.js": PackageResources.wav_js
        case "js/graph.js": PackageResources.graph_js
        case "js/live-audio.js": PackageResources.live_audio_js
        case "js/pcm-worklet.js": PackageResources.pcm_worklet_js
        case "js/history.js": PackageResources.history_js
        default: nil
        }
    }
}
