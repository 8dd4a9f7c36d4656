import ArgumentParser

/// `skit bench`: the benchmarks, one subcommand each.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that print numbers.",
        subcommands: [EngineBench.self, SessionsBench.self, PluginBench.self, ScriptBench.self],
        defaultSubcommand: EngineBench.self
    )
}
