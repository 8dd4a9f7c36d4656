import Foundation
import StreamKitCore

/// `core::file_reader`: reads a file in chunks and sends them as binary packets.
/// Reads happen on the node's blocking queue, never on the cooperative pool.
struct FileReaderNode: DefinedNode {
    static let definition = NodeDefinition(
        kind: "core::file_reader",
        description: "Reads a file and sends its bytes in chunks.",
        categories: ["core", "io"],
        paramSchema: Schema.object([
            ("path", Schema.string("Path of the file to read.", minLength: 1)),
            ("chunk_size", Schema.integer("Bytes per packet.", default: 8192, minimum: 1, maximum: 16 * 1024 * 1024)),
        ], required: ["path"]),
        inputs: [],
        outputs: [OutputPin(name: "out", produces: .binary)],
        factory: { params in FileReaderNode(path: params.string("path", or: ""), chunkSize: params.integer("chunk_size", or: 8192)) }
    )

    var path: String
    var chunkSize: Int

    func run(context: NodeContext) async throws {
        let path = self.path
        let chunkSize = self.chunkSize
        let file = try await context.blocking.run { () throws -> FileReadHandle in
            try FileReadHandle(path: path)
        }
        defer { file.close() }
        while true {
            if let update = context.pollParamsUpdate() {
                update.reject("core::file_reader parameters cannot be changed while it reads")
            }
            let chunk = try await context.blocking.run { try file.read(upTo: chunkSize) }
            guard !chunk.isEmpty else { break }
            try await context.send(.binary(BinaryPacket(data: chunk)))
        }
        context.setState(.stopped(reason: .completed))
    }
}
