import StreamKitCore

/// `core::telemetry_tap`: watches the packets going through, publishes telemetry about them
/// (speech results, custom events, audio levels), and forwards every packet unchanged.
struct TelemetryTapNode: DefinedNode {
    static let definition = NodeDefinition(
        kind: "core::telemetry_tap",
        description: "Forwards packets unchanged and publishes telemetry events about them (including audio levels).",
        categories: ["core", "observability"],
        paramSchema: Schema.object(TelemetryMapper.schemaProperties + [
            ("audio_sample_interval_ms", Schema.integer("Publish an audio.level event every this many ms of audio (0 = never).", default: 1000, minimum: 0)),
        ]),
        inputs: [InputPin(name: "in", accepts: [.any])],
        outputs: [OutputPin(name: "out", produces: .passthrough)],
        factory: { params in TelemetryTapNode(params: params) }
    )

    var params: JSONValue

    func run(context: NodeContext) async throws {
        var mapper = TelemetryMapper(params: params, terminal: false)
        while let input = await context.next() {
            switch input {
            case .packet(_, let packet):
                for (eventType, data) in mapper.events(for: packet) {
                    context.emitTelemetry(eventType, data: data)
                }
                try await context.send(packet)
            case .paramsUpdate(let update):
                mapper = TelemetryMapper(params: update.params, terminal: false)
                update.accept()
            case .inputClosed, .timeout:
                continue
            }
        }
    }
}

/// `core::telemetry_out`: the terminal variant, for best-effort side branches: publishes
/// telemetry about what it receives and forwards nothing.
struct TelemetryOutNode: DefinedNode {
    static let definition = NodeDefinition(
        kind: "core::telemetry_out",
        description: "Publishes telemetry events about the packets it receives (a terminal node for side branches).",
        categories: ["core", "observability"],
        paramSchema: Schema.object(TelemetryMapper.schemaProperties),
        inputs: [InputPin(name: "in", accepts: [.any])],
        outputs: [],
        factory: { params in TelemetryOutNode(params: params) }
    )

    var params: JSONValue

    func run(context: NodeContext) async throws {
        var mapper = TelemetryMapper(params: params, terminal: true)
        while let input = await context.next() {
            switch input {
            case .packet(_, let packet):
                let events = mapper.events(for: packet)
                if events.isEmpty { context.countDiscarded() }
                for (eventType, data) in events {
                    context.emitTelemetry(eventType, data: data)
                }
            case .paramsUpdate(let update):
                mapper = TelemetryMapper(params: update.params, terminal: true)
                update.accept()
            case .inputClosed, .timeout:
                continue
            }
        }
    }
}
