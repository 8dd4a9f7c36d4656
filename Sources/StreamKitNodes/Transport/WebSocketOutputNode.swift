import StreamKitCore

/// `transport::websocket::output`: live audio out to every client connected to
/// `GET /api/v1/sessions/{session}/media/{node}` (WebSocket).
///
/// PCM clients (the default) first get a text message announcing the format, then binary
/// messages of interleaved little-endian PCM. Ogg Opus clients (`?encoding=ogg_opus`, or every
/// client when the `encoding` parameter says so) get an announcement and then an Ogg Opus
/// stream of their own, header pages first, even when they join mid-session. The node encodes
/// Opus once for all of them, on its blocking queue, and only while one is connected; audio at
/// a rate Opus does not take (44.1 kHz, …) is resampled to 48 kHz with the `audio::resampler`
/// code first. A slow client loses its oldest audio; it never holds up the pipeline.
struct WebSocketOutputNode: DefinedNode {
    static let kind = "transport::websocket::output"

    static let definition = NodeDefinition(
        kind: kind,
        description: "Live audio out over a WebSocket (raw PCM, or Ogg Opus per client) at /api/v1/sessions/{session}/media/{node}. Dynamic sessions only.",
        categories: ["transport", "websocket"],
        paramSchema: Schema.object([
            ("sample_format", Schema.string("Sample encoding sent to PCM clients.", default: "f32le", oneOf: ["f32le", "s16le"])),
            ("encoding", Schema.string("What clients receive: pcm or ogg_opus. Absent: each client chooses with ?encoding=, PCM by default.", oneOf: MediaEncoding.allCases.map(\.rawValue))),
            ("opus_bitrate", Schema.integer("Opus bitrate (bits per second) for Ogg Opus clients.", default: 64_000, minimum: 6_000, maximum: 510_000)),
            ("client_buffer", Schema.integer("Messages a slow client may have waiting before its oldest are dropped.", default: 50, minimum: 1, maximum: 10000)),
        ]),
        inputs: [InputPin(name: "in", accepts: [.anyRawAudio])],
        outputs: [],
        factory: { params in WebSocketOutputNode(params: params) }
    )

    var sampleFormat: PCMFormat.SampleFormat
    var encoding: MediaEncoding?
    var opusBitrate: Int
    var clientBuffer: Int

    init(params: JSONValue) {
        sampleFormat = params["sample_format"]?.stringValue.flatMap(PCMFormat.SampleFormat.init(rawValue:)) ?? .f32le
        encoding = params["encoding"]?.stringValue.flatMap(MediaEncoding.init(rawValue:))
        opusBitrate = params.integer("opus_bitrate", or: 64_000)
        clientBuffer = params.integer("client_buffer", or: 50)
    }

    func run(context: NodeContext) async throws {
        let endpoint = MediaOutputEndpoint(listenerCapacity: clientBuffer, sampleFormat: sampleFormat, encoding: encoding)
        let registration = try MediaEndpoints.shared.register(endpoint, for: context, kind: Self.kind)
        defer { registration.end() }
        context.setState(.running)
        var opus: OpusStreamEncoder?
        let bitrate = opusBitrate

        /// Encodes a frame for the Ogg listeners; a frame Opus cannot take closes their sockets
        /// (or fails the node when Ogg Opus is all it serves).
        func encode(_ frame: AudioFrame) async throws {
            do {
                if opus == nil || opus?.inputRate != frame.sampleRate || opus?.inputChannels != frame.channels {
                    opus = try await context.blocking.run {
                        try OpusStreamEncoder(sampleRate: frame.sampleRate, channels: frame.channels, bitrate: bitrate)
                    }
                }
                guard let encoder = opus else { return }
                let samples = frame.samples
                let packets = try await context.blocking.run { try encoder.encode(samples) }
                endpoint.broadcast(opus: packets, head: encoder.head)
            } catch {
                opus = nil
                let reason = "\(Self.kind) '\(context.nodeID)' cannot encode its audio as Opus: \(error)"
                endpoint.refuseOpus(reason)
                context.countErrored()
                if encoding == .oggOpus { throw StreamKitError.codec(reason) }
            }
        }

        while let input = await context.next() {
            switch input {
            case .packet(_, .audio(let frame)):
                endpoint.broadcast(frame)
                if endpoint.hasOpusListeners, !frame.samples.isEmpty { try await encode(frame) }
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
