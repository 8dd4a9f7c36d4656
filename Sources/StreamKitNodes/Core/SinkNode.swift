import StreamKitCore

/// `core::sink`: takes everything and discards it (the end of a branch that is only observed).
struct SinkNode: DefinedNode {
    static let definition = NodeDefinition(
        kind: "core::sink",
        description: "Consumes and discards every packet.",
        categories: ["core", "utility"],
        paramSchema: Schema.empty,
        inputs: [InputPin(name: "in", accepts: [.any])],
        outputs: [],
        factory: { _ in SinkNode() }
    )

    func run(context: NodeContext) async throws {
        while let input = await context.next() {
            if case .packet = input { context.countDiscarded() }
        }
    }
}
