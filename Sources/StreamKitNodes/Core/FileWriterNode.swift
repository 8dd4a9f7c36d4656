import Foundation
import StreamKitCore

/// `core::file_writer`: writes the bytes of binary packets to a file (created or truncated).
/// Writes happen on the node's blocking queue, never on the cooperative pool.
struct FileWriterNode: DefinedNode {
    static let definition = NodeDefinition(
        kind: "core::file_writer",
        description: "Writes incoming bytes to a file.",
        categories: ["core", "io"],
        paramSchema: Schema.object([
            ("path", Schema.string("Path of the file to write (created or truncated).", minLength: 1)),
            ("chunk_size", Schema.integer("Bytes gathered before each write.", default: 8192, minimum: 1, maximum: 64 * 1024 * 1024)),
        ], required: ["path"]),
        inputs: [InputPin(name: "in", accepts: [.binary])],
        outputs: [],
        factory: { params in FileWriterNode(path: params.string("path", or: ""), chunkSize: params.integer("chunk_size", or: 8192)) }
    )

    var path: String
    var chunkSize: Int

    func run(context: NodeContext) async throws {
        let path = self.path
        let file = try await context.blocking.run { try FileWriteHandle(path: path) }
        var pending: [UInt8] = []
        do {
            while let packet = await context.nextPacket(refusingUpdates: "core::file_writer parameters cannot be changed while it writes") {
                switch packet {
                case .binary(let binary):
                    pending += binary.data
                    if pending.count >= chunkSize {
                        let bytes = pending
                        pending.removeAll(keepingCapacity: true)
                        try await context.blocking.run { try file.write(bytes) }
                    }
                default:
                    context.countDiscarded()
                }
            }
            let rest = pending
            try await context.blocking.run {
                try file.write(rest)
                try file.close()
            }
        } catch {
            try? await context.blocking.run { try file.close() }
            throw error
        }
    }
}
