import StreamKitCore

/// `core::telemetry_out`: the terminal variant of `core::telemetry_tap`, for best-effort side
/// branches: publishes telemetry about what it receives and forwards nothing (a `TelemetryNode`).
enum TelemetryOutNode {
    static let definition = NodeDefinition(
        kind: "core::telemetry_out",
        description: "Publishes telemetry events about the packets it receives (a terminal node for side branches).",
        categories: ["core", "observability"],
        paramSchema: Schema.object(TelemetryMapper.schemaProperties),
        inputs: [InputPin(name: "in", accepts: [.any])],
        outputs: [],
        factory: { params in TelemetryNode(params: params, terminal: true) }
    )
}
