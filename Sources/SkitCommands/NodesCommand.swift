import ArgumentParser
import StreamKitCore
import StreamKitNodes

/// `skit nodes`: lists the node kinds with their pins and parameters.
struct NodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nodes", abstract: "List the node kinds.")

    @Flag(help: "Print the definitions as JSON (the same as /api/v1/schema/nodes).")
    var json = false

    func run() async throws {
        let registry = try ScriptRegistry.make(config: nil)
        if json {
            print(registry.definitionsJSON.jsonString(pretty: true))
            return
        }
        for definition in registry.allDefinitions {
            print(definition.kind)
            print("  \(definition.description)")
            let inputs = definition.inputs.map { "\($0.name): \($0.acceptsTypes.map(\.description).joined(separator: " | "))" }
            let outputs = definition.outputs.map { "\($0.name): \($0.producesType)" }
            print("  in:  \(inputs.isEmpty ? "—" : inputs.joined(separator: ", "))")
            print("  out: \(outputs.isEmpty ? "—" : outputs.joined(separator: ", "))")
            if let properties = definition.paramSchema["properties"]?.objectValue, !properties.isEmpty {
                let names = properties.map { key, value in
                    let type = value["type"].map { $0.stringValue ?? $0.jsonString() } ?? "any"
                    let fallback = value["default"].map { " = \($0.jsonString())" } ?? ""
                    return "\(key) (\(type)\(fallback))"
                }
                print("  params: \(names.joined(separator: ", "))")
            }
        }
    }
}

/// `skit schema`: prints the node or packet-type schemas as JSON.
struct SchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schema", abstract: "Print node or packet-type schemas as JSON.")

    enum Subject: String, ExpressibleByArgument, CaseIterable { case nodes, packets }

    @Argument(help: "nodes or packets")
    var subject: Subject

    func run() async throws {
        switch subject {
        case .nodes: print(try ScriptRegistry.make(config: nil).definitionsJSON.jsonString(pretty: true))
        case .packets: print(PacketTypeDescription.allJSON.jsonString(pretty: true))
        }
    }
}
