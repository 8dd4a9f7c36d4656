import ArgumentParser
import Foundation
import StreamKitClient

/// `skit-cli`: talks to a running StreamKit server over HTTP and WebSocket.
public struct SkitCLI: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "skit-cli",
        abstract: "Client for a running StreamKit server.",
        discussion: """
        Global options, before or after the command name:
          -s, --server URL    default $SKIT_SERVER, else http://127.0.0.1:4545
          --role NAME         act as this role (sent in the role header)
          --role-header NAME  header for --role (default x-role)
        """,
        subcommands: [
            ProcessCommand.self, SessionsCommand.self, TuneCommand.self, WatchCommand.self,
            NodesCommand.self, PluginsCommand.self, LoadTestCommand.self, HealthCommand.self, PermissionsCommand.self,
        ]
    )

    public init() {}

    /// Parses the command line and runs the chosen command.
    ///
    /// Written out because calling `main()` across modules from a top-level `main.swift` resolves to
    /// the synchronous overload on Linux.
    public static func runFromCommandLine(arguments: [String] = Array(CommandLine.arguments.dropFirst())) async {
        do {
            try await run(arguments: arguments)
        } catch {
            exit(withError: error)
        }
    }

    /// Parses `arguments` (without the program name) and runs the command, throwing its error
    /// instead of exiting (`--help` and parse errors are thrown too).
    public static func run(arguments: [String]) async throws {
        var command = try parseAsRoot(relocatingGlobalOptions(arguments))
        if var asyncCommand = command as? any AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    }

    /// Moves global options written before the command name (`skit-cli --server URL sessions list`)
    /// behind it, where the command's own option group reads them.
    public static func relocatingGlobalOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let token = arguments[index]
            let name = token.split(separator: "=", maxSplits: 1).first.map(String.init) ?? token
            guard ConnectionOptions.valueOptions.contains(name) else { break }
            leading.append(token)
            if !token.contains("="), index + 1 < arguments.count {
                leading.append(arguments[index + 1])
                index += 1
            }
            index += 1
        }
        guard !leading.isEmpty else { return arguments }
        var rest = Array(arguments[index...])
        guard !rest.isEmpty else { return arguments }
        if let terminator = rest.firstIndex(of: "--") {
            rest.insert(contentsOf: leading, at: terminator)
        } else {
            rest += leading
        }
        return rest
    }
}

/// `skit-cli health`: the server's health answer.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "health", abstract: "Check that the server answers.")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let client = try connection.httpClient()
        let health = try await client.health()
        Console.out("\(client.server): \(health["status"]?.stringValue ?? "?") (version \(health["version"]?.stringValue ?? "?"))")
    }
}

/// `skit-cli permissions`: the caller's role and flags.
struct PermissionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "permissions", abstract: "Show the role the server resolved and its permissions.")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let permissions = try await connection.httpClient().permissions()
        Console.out("role: \(permissions.role)")
        for line in Table.render(permissions.flags.map { ["  \($0.name)", $0.allowed ? "yes" : "no"] }) { Console.out(line) }
    }
}
