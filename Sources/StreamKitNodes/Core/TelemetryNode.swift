import StreamKitCore

/// The node behind `core::telemetry_tap` and `core::telemetry_out`: publishes telemetry events
/// about the packets it receives (see `TelemetryMapper`). The tap forwards every packet
/// unchanged; the terminal variant forwards nothing and counts a packet that said nothing as
/// discarded. Parameter updates replace the mapping.
struct TelemetryNode: Node {
    var params: JSONValue
    /// Whether this is `core::telemetry_out`, which has no output.
    var terminal: Bool

    private var definition: NodeDefinition { terminal ? TelemetryOutNode.definition : TelemetryTapNode.definition }
    var inputPins: [InputPin] { definition.inputs }
    var outputPins: [OutputPin] { definition.outputs }

    func run(context: NodeContext) async throws {
        var mapper = TelemetryMapper(params: params, terminal: terminal)
        while let input = await context.next() {
            switch input {
            case .packet(_, let packet):
                let events = mapper.events(for: packet)
                for (eventType, data) in events {
                    context.emitTelemetry(eventType, data: data)
                }
                if !terminal {
                    try await context.send(packet)
                } else if events.isEmpty {
                    context.countDiscarded()
                }
            case .paramsUpdate(let update):
                mapper = TelemetryMapper(params: update.params, terminal: terminal)
                update.accept()
            case .inputClosed, .timeout:
                continue
            }
        }
    }
}
