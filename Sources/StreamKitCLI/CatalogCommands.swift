import ArgumentParser
import Foundation
import StreamKitClient
import StreamKitCore

/// `skit-cli nodes [--json]`: the node kinds the server offers.
struct NodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nodes", abstract: "List the node kinds the server offers you.")

    @OptionGroup var connection: ConnectionOptions
    @Flag(help: "Print the full node definitions as JSON.") var json = false

    func run() async throws {
        let kinds = try await connection.httpClient().nodes()
        Listing.print(kinds, asJSON: json, json: \.json, columns: ["KIND", "CATEGORIES", "DESCRIPTION"], order: { $0.kind < $1.kind }) {
            [$0.kind, $0.categories.joined(separator: ","), Self.firstSentence($0.description ?? "")]
        }
    }

    private static func firstSentence(_ text: String) -> String {
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        return line.count > 100 ? String(line.prefix(99)) + "…" : line
    }
}

/// `skit-cli plugins list|upload|delete`.
struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List, upload and delete plugins.",
        subcommands: [List.self, Upload.self, Delete.self],
        defaultSubcommand: List.self
    )

    /// `plugins list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List loaded plugins.")

        @OptionGroup var answer: ServerAnswerOptions

        func run() async throws {
            let plugins = try await answer.connection.httpClient().listPlugins()
            Listing.print(
                plugins, asJSON: answer.json, json: \.json, columns: ["KIND", "TYPE", "FILE", "CATEGORIES"],
                order: { $0.kind < $1.kind }, whenEmpty: "no plugins loaded"
            ) {
                [$0.kind, $0.pluginType ?? "-", $0.fileName ?? "-", $0.categories.joined(separator: ",")]
            }
        }
    }

    /// `plugins upload FILE`.
    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Upload and load a plugin file (multipart field 'plugin').")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Plugin file (.so/.dylib/.wasm).") var file: String

        func run() async throws {
            let plugin = try await connection.httpClient().uploadPlugin(path: file)
            var line = "loaded plugin \(plugin.kind)" + (plugin.fileName.map { " from \($0)" } ?? "")
            if let version = plugin.json["version"]?.intValue, let sha = plugin.json["sha256"]?.stringValue {
                line += " (version \(version), sha256 \(sha.prefix(12)))"
            }
            if let replaced = plugin.json["replaced"], let version = replaced["version"]?.intValue {
                line += "; replaced version \(version)" + (replaced["file_name"]?.stringValue.map { " from \($0)" } ?? "")
            }
            Console.out(line)
        }
    }

    /// `plugins delete KIND [--keep-file]`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unload a plugin (and delete its file unless --keep-file).")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Full plugin kind (plugin::native::gain).") var kind: String
        @Flag(help: "Unload only; keep the file (it loads again at the next start).") var keepFile = false

        func run() async throws {
            let plugin = try await connection.httpClient().deletePlugin(kind: kind, keepFile: keepFile)
            Console.out("unloaded plugin \(plugin.kind)" + (keepFile ? " (file kept)" : ""))
        }
    }
}
