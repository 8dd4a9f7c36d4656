import ArgumentParser
import StreamKitCore
import StreamKitEngine
import StreamKitNodes

/// `skit validate`: checks a pipeline and reports every problem at once.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a pipeline: kinds, params, pins, types, cycles. Every problem is listed."
    )

    @Argument(help: "The pipeline (YAML or JSON).")
    var pipeline: String

    @Option(name: [.short, .customLong("config")], help: "A skit.toml whose [script] section (secrets, defaults) core::script nodes are checked against.")
    var config: String?

    func run() async throws {
        let text = try PipelineFile.read(pipeline)
        let registry = try ScriptRegistry.make(config: config, logLevel: .warning)
        do {
            let document = try PipelineParser.parse(text)
            let plan = try PipelineCompiler.compile(document, registry: registry)
            for warning in plan.warnings { StandardStreams.printError("warning: \(warning)") }
            print("\(pipeline): ok — \(plan.mode.rawValue) pipeline, \(plan.nodes.count) nodes, \(plan.links.count) links")
        } catch {
            StandardStreams.printError("\(pipeline): \(error.description)")
            throw ExitCode(1)
        }
    }
}
