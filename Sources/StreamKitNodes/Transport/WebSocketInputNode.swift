import StreamKitCore

/// `transport::websocket::input`: live audio from browsers and clients over
/// `GET /api/v1/sessions/{session}/media/{node}` (WebSocket), as raw PCM or as Ogg Opus.
///
/// PCM (the default): a text message may announce the format
/// (`{"type":"format","sample_rate":48000,"channels":1,"sample_format":"f32le"}`); binary
/// messages carry interleaved little-endian samples. Ogg Opus: the client connects with
/// `?encoding=ogg_opus` or sends `{"type":"format","encoding":"ogg_opus"}`, then binary messages
/// holding an Ogg Opus stream cut anywhere (a page may span messages, a message may hold several
/// pages); it is decoded to 48 kHz audio with the pipeline's own Ogg demuxer and Opus decoder.
/// The `encoding` parameter fixes one for every client. Audio waits in a bounded jitter buffer.
struct WebSocketInputNode: DefinedNode {
    static let kind = "transport::websocket::input"

    static let definition = NodeDefinition(
        kind: kind,
        description: "Live audio in over a WebSocket (raw PCM f32le/s16le, or Ogg Opus) at /api/v1/sessions/{session}/media/{node}. Dynamic sessions only.",
        categories: ["transport", "websocket"],
        paramSchema: Schema.object([
            ("sample_rate", Schema.integer("Sample rate assumed when the client announces none.", default: 48000, minimum: 1000, maximum: 384_000)),
            ("channels", Schema.integer("Channels assumed when the client announces none.", default: 1, minimum: 1, maximum: 8)),
            ("encoding", Schema.string("What clients send: pcm or ogg_opus (decoded to 48 kHz). Absent: each client chooses (?encoding= or its format message), PCM by default.", oneOf: MediaEncoding.allCases.map(\.rawValue))),
            ("jitter_buffer_ms", Schema.integer("Most audio held while the pipeline catches up; older audio is dropped beyond it.", default: 200, minimum: 10, maximum: 10000)),
        ]),
        inputs: [],
        outputs: [OutputPin(name: "out", produces: .anyRawAudio)],
        factory: { params in WebSocketInputNode(params: params) }
    )

    var format: PCMFormat
    var jitterMilliseconds: Int
    var encoding: MediaEncoding?

    init(params: JSONValue) {
        encoding = params["encoding"]?.stringValue.flatMap(MediaEncoding.init(rawValue:))
        format = PCMFormat(sampleRate: params.integer("sample_rate", or: 48000), channels: params.integer("channels", or: 1))
        jitterMilliseconds = params.integer("jitter_buffer_ms", or: 200)
    }

    func run(context: NodeContext) async throws {
        let endpoint = MediaInputEndpoint(defaultFormat: format, capacityMilliseconds: jitterMilliseconds, encoding: encoding)
        let registration = try MediaEndpoints.shared.register(endpoint, for: context, kind: Self.kind)
        defer { registration.end() }
        context.setState(.running)
        while !context.isShutdownRequested {
            if let frame = endpoint.take() {
                try await context.send(.audio(frame))
                continue
            }
            let dropped = endpoint.takeDropped()
            if dropped > 0 {
                context.countDiscarded(dropped)
                context.emitTelemetry("websocket.jitter_overflow", data: ["dropped_frames": .number(Double(dropped))])
            }
            // Nothing buffered: look again shortly. A 5 ms tick is well under one audio frame
            // (10–20 ms), so it adds no audible latency and costs ~200 wake-ups a second.
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
