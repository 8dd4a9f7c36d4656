import StreamKitCore

/// `transport::websocket::output`: live audio out to every client connected to
/// `GET /api/v1/sessions/{session}/media/{node}` (WebSocket). Each client first gets a text
/// message announcing the format, then binary messages of interleaved little-endian PCM.
/// A slow client loses its oldest audio; it never holds up the pipeline.
struct WebSocketOutputNode: Node {
    static let kind = "transport::websocket::output"

    static let definition = NodeDefinition(
        kind: kind,
        description: "Live audio out over a WebSocket (raw PCM) at /api/v1/sessions/{session}/media/{node}. Dynamic sessions only.",
        categories: ["transport", "websocket"],
        paramSchema: Schema.object([
            ("sample_format", Schema.string("Sample encoding sent to clients.", default: "f32le", oneOf: ["f32le", "s16le"])),
            ("client_buffer", Schema.integer("Messages a slow client may have waiting before its oldest are dropped.", default: 50, minimum: 1, maximum: 10000)),
        ]),
        inputs: [InputPin(name: "in", accepts: [.anyRawAudio])],
        outputs: [],
        factory: { params in WebSocketOutputNode(params: params) }
    )

    var sampleFormat: PCMFormat.SampleFormat
    var clientBuffer: Int

    init(params: JSONValue) {
        sampleFormat = params["sample_format"]?.stringValue.flatMap(PCMFormat.SampleFormat.init(rawValue:)) ?? .f32le
        clientBuffer = params.integer("client_buffer", or: 50)
    }

    var inputPins: [InputPin] { Self.definition.inputs }
    var outputPins: [OutputPin] { [] }

    func run(context: NodeContext) async throws {
        guard let session = context.sessionID else {
            throw StreamKitError.configuration("\(Self.kind) needs a dynamic session (its socket lives under /api/v1/sessions/{session})")
        }
        let endpoint = MediaOutputEndpoint(listenerCapacity: clientBuffer, sampleFormat: sampleFormat)
        MediaEndpoints.shared.register(endpoint, session: session, node: context.nodeID)
        defer { MediaEndpoints.shared.remove(endpoint, session: session, node: context.nodeID) }
        context.setState(.running)
        while let input = await context.next() {
            switch input {
            case .packet(_, .audio(let frame)):
                endpoint.broadcast(frame)
            case .packet:
                context.countDiscarded()
            case .paramsUpdate(let update):
                update.accept()
            case .inputClosed, .timeout:
                continue
            }
        }
    }
}
