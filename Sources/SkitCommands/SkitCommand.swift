import ArgumentParser

/// `skit`: the StreamKit server and its offline tools.
@available(macOS 10.15, macCatalyst 13, iOS 13, tvOS 13, watchOS 6, *)
public struct SkitCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "skit",
        abstract: "StreamKit for Swift: real-time media pipelines.",
        subcommands: [ServeCommand.self, ConfigCommand.self, RunCommand.self, ValidateCommand.self, NodesCommand.self, SchemaCommand.self, BenchCommand.self],
        defaultSubcommand: ServeCommand.self
    )

    public init() {}
}
