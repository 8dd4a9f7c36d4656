import StreamKitCore

/// `core::json_serialize`: turns every packet into JSON bytes (one document per packet,
/// newline-terminated when `newline_delimited`, which makes the output NDJSON).
struct JSONSerializeNode: DefinedNode {
    static let definition = NodeDefinition(
        kind: "core::json_serialize",
        description: "Serialises packets as JSON (optionally NDJSON).",
        categories: ["core", "serialization"],
        paramSchema: Schema.object([
            ("pretty", Schema.boolean("Indent the JSON.", default: false)),
            ("newline_delimited", Schema.boolean("End each document with a newline (NDJSON).", default: false)),
        ]),
        inputs: [InputPin(name: "in", accepts: [.any])],
        outputs: [OutputPin(name: "out", produces: .binary)],
        factory: { params in JSONSerializeNode(pretty: params.bool("pretty", or: false), newlineDelimited: params.bool("newline_delimited", or: false)) }
    )

    var pretty: Bool
    var newlineDelimited: Bool

    var contentType: String? { newlineDelimited ? "application/x-ndjson" : "application/json" }

    func run(context: NodeContext) async throws {
        while let input = await context.next() {
            guard case .packet(_, let packet) = input else { continue }
            var text = PacketJSON.encode(packet).jsonString(pretty: pretty)
            if newlineDelimited { text += "\n" }
            try await context.send(.binary(BinaryPacket(data: Array(text.utf8), contentType: "application/json")))
        }
    }
}
