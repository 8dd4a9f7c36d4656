import ArgumentParser
import StreamKitLoadTest

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
