import StreamKitCore

/// Which side of a container a node works on, and the elementary stream it handles.
enum ContainerRole {
    /// Packs packets of these types into container bytes.
    case muxer(accepts: [PacketType])
    /// Unpacks container bytes into packets of this type.
    case demuxer(produces: PacketType)

    /// The last component of the node kind.
    var name: String {
        switch self {
        case .muxer: "muxer"
        case .demuxer: "demuxer"
        }
    }
}

extension NodeDefinition {
    /// The definition of a container muxer or demuxer.
    ///
    /// The container nodes are one family: the kind is `containers::<format>::<role>`, they are
    /// listed under `containers` / `<format>`, and they have one `in` and one `out` pin with the
    /// container's bytes on one side and the elementary stream on the other. Building the kind,
    /// the categories and the pins here keeps the family consistent (a container cannot be
    /// filed under a category that disagrees with its kind).
    static func container(
        _ format: String, _ role: ContainerRole,
        description: String, paramSchema: JSONValue,
        factory: @escaping @Sendable (JSONValue) throws -> any Node
    ) -> NodeDefinition {
        let input: InputPin
        let output: OutputPin
        switch role {
        case .muxer(let accepted):
            input = InputPin(name: "in", accepts: accepted)
            output = OutputPin(name: "out", produces: .binary)
        case .demuxer(let produced):
            input = InputPin(name: "in", accepts: [.binary])
            output = OutputPin(name: "out", produces: produced)
        }
        return NodeDefinition(
            kind: "containers::\(format)::\(role.name)",
            description: description,
            categories: ["containers", format],
            paramSchema: paramSchema,
            inputs: [input],
            outputs: [output],
            factory: factory
        )
    }
}
