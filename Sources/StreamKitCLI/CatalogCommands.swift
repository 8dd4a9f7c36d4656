import ArgumentParser
import Foundation
import StreamKitCore

/// `skit-cli nodes [--json]`: the node kinds the server offers.
struct NodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nodes", abstract: "List the node kinds the server offers you.")

    @OptionGroup var connection: ConnectionOptions
    @Flag(help: "Print the full node definitions as JSON.") var json = false

    func run() async throws {
        let kinds = try await connection.httpClient().nodes()
        if json {
            Console.out(JSONValue.array(kinds.map(\.json)).jsonString(pretty: true))
            return
        }
        let rows = [["KIND", "CATEGORIES", "DESCRIPTION"]] + kinds.sorted { $0.kind < $1.kind }.map {
            [$0.kind, $0.categories.joined(separator: ","), Self.firstSentence($0.description ?? "")]
        }
        for line in Table.render(rows) { Console.out(line) }
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

        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            let plugins = try await connection.httpClient().listPlugins()
            if json {
                Console.out(JSONValue.array(plugins.map(\.json)).jsonString(pretty: true))
                return
            }
            guard !plugins.isEmpty else {
                Console.out("no plugins loaded")
                return
            }
            let rows = [["KIND", "TYPE", "FILE", "CATEGORIES"]] + plugins.sorted { $0.kind < $1.kind }.map {
                [$0.kind, $0.pluginType ?? "-", $0.fileName ?? "-", $0.categories.joined(separator: ",")]
            }
            for line in Table.render(rows) { Console.out(line) }
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

/// `skit-cli lt CONFIG.toml`: the load tester.
struct LoadTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lt",
        abstract: "Load-test the server with a TOML config ([oneshot] and/or [dynamic]).",
        discussion: """
            Traffic goes only to --server. See samples/loadtest/ for presets. [dynamic] media_input / media_output / \
            media_encoding stream audio through each session's media sockets at real time and add audio sent and \
            received, bytes and latency to the report (samples/loadtest/dynamic_media_ogg_opus.toml).
            """,
        aliases: ["loadtest", "load-test"]
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Load-test config (TOML).") var config: String
    @Flag(help: "Print the report as JSON.") var json = false
    @Flag(name: [.short, .long], help: "No progress lines.") var quiet = false
    @Flag(help: "Exit with status 1 when any operation failed.") var failOnError = false

    func run() async throws {
        let configuration = try LoadTestConfiguration.load(path: config)
        var tester = LoadTester(server: try connection.address(), role: connection.role, roleHeader: connection.roleHeader)
        if !quiet {
            tester.onProgress = { line in Console.err(line) }
            Console.err("load test \(config) against \(tester.server)")
        }
        let report = try await tester.run(configuration)
        Console.out(json ? report.json.jsonString(pretty: true) : report.text)
        if failOnError && report.totalErrors > 0 { throw ExitCode.failure }
    }
}
