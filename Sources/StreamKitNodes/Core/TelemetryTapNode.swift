import StreamKitCore

/// `core::telemetry_tap`: watches the packets going through, publishes telemetry about them
/// (speech results, custom events, audio levels), and forwards every packet unchanged
/// (a `TelemetryNode`).
enum TelemetryTapNode {
    static let definition = NodeDefinition(
        kind: "core::telemetry_tap",
        description: "Forwards packets unchanged and publishes telemetry events about them (including audio levels).",
        categories: ["core", "observability"],
        paramSchema: Schema.object(TelemetryMapper.schemaProperties + [
            ("audio_sample_interval_ms", Schema.integer("Publish an audio.level event every this many ms of audio (0 = never).", default: 1000, minimum: 0)),
        ]),
        inputs: [InputPin(name: "in", accepts: [.any])],
        outputs: [OutputPin(name: "out", produces: .passthrough)],
        factory: { params in TelemetryNode(params: params, terminal: false) }
    )
}
