import StreamKitCore

/// `core::passthrough`: forwards every packet unchanged (no copy: packets are copy-on-write).
struct PassthroughNode: DefinedNode {
    static let definition = NodeDefinition(
        kind: "core::passthrough",
        description: "Forwards every packet unchanged.",
        categories: ["core", "utility"],
        paramSchema: Schema.empty,
        inputs: [InputPin(name: "in", accepts: [.any])],
        outputs: [OutputPin(name: "out", produces: .passthrough)],
        factory: { _ in PassthroughNode() }
    )

    func run(context: NodeContext) async throws {
        while let input = await context.next() {
            if case .packet(_, let packet) = input {
                try await context.send(packet)
            }
        }
    }
}
