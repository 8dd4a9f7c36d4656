import ArgumentParser
import StreamKitServer

/// `skit config default`: prints the full default configuration, every key commented.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Configuration helpers.", subcommands: [DefaultConfig.self]
    )

    struct DefaultConfig: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "default", abstract: "Print the default skit.toml, every key commented.")
        func run() async throws {
            print(ServerConfiguration.defaultTOML(), terminator: "")
        }
    }
}
