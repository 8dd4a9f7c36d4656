import StreamKitCore

/// `streamkit::http_input`: stands for a oneshot run's input bytes (the HTTP request's media,
/// or the file given to `skit run -i`). The engine binds it to the run's byte source.
struct HTTPInputNode: OneshotInputEndpoint, DefinedNode {
    static let definition = NodeDefinition(
        kind: "streamkit::http_input",
        description: "The input bytes of a oneshot run (the uploaded media, or `skit run -i`).",
        categories: ["transport", "oneshot"],
        paramSchema: Schema.empty,
        inputs: [],
        outputs: [OutputPin(name: "out", produces: .binary)],
        oneshotOnly: true,
        factory: { _ in HTTPInputNode(source: nil, sourceContentType: nil) }
    )

    var source: (any ByteSource)?
    var sourceContentType: String?

    // The definition's pins. Its output is advertised as Binary; the original produced Any
    // internally, which hid type errors.

    func bound(to source: any ByteSource, contentType: String?) -> any Node {
        HTTPInputNode(source: source, sourceContentType: contentType)
    }

    func run(context: NodeContext) async throws {
        guard let source else {
            throw StreamKitError.configuration("streamkit::http_input has no input bound (it only works in a oneshot run)")
        }
        while let chunk = try await source.read() {
            if context.isShutdownRequested { break }
            guard !chunk.isEmpty else { continue }
            try await context.send(.binary(BinaryPacket(data: chunk, contentType: sourceContentType)))
        }
        context.setState(.stopped(reason: .completed))
    }
}

/// `streamkit::http_output`: stands for a oneshot run's output bytes (the HTTP response body,
/// or `skit run -o`). Writes the bytes of every binary packet, in order, as they come.
struct HTTPOutputNode: OneshotOutputEndpoint, DefinedNode {
    static let definition = NodeDefinition(
        kind: "streamkit::http_output",
        description: "The output bytes of a oneshot run (the HTTP response body, or `skit run -o`).",
        categories: ["transport", "oneshot"],
        paramSchema: Schema.object([
            ("content_type", Schema.string("Content type of the output (default: the producing node's, e.g. audio/wav).", minLength: 1)),
        ]),
        inputs: [InputPin(name: "in", accepts: [.binary])],
        outputs: [],
        oneshotOnly: true,
        factory: { params in HTTPOutputNode(declaredContentType: params["content_type"]?.stringValue, sink: nil) }
    )

    var declaredContentType: String?
    var sink: (any ByteSink)?

    func bound(to sink: any ByteSink) -> any Node {
        HTTPOutputNode(declaredContentType: declaredContentType, sink: sink)
    }

    func run(context: NodeContext) async throws {
        guard let sink else {
            throw StreamKitError.configuration("streamkit::http_output has no output bound (it only works in a oneshot run)")
        }
        while let packet = await context.nextPacket(refusingUpdates: "streamkit::http_output has no live parameters") {
            switch packet {
            case .binary(let binary):
                do {
                    try await sink.write(binary.data)
                } catch {
                    throw NodeStopRequested(reason: .outputClosed)
                }
            default:
                context.countDiscarded()
            }
        }
    }
}
