import ArgumentParser
import Foundation
import Logging
import StreamKitCore
import StreamKitEngine
import StreamKitNodes
import StreamKitPlugins
import StreamKitServer
import Synchronization

/// `skit run`: runs a oneshot pipeline on a file (or standard input) with no server.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a oneshot pipeline with no server.",
        discussion: """
            The pipeline's streamkit::http_input reads the input (-i) and its streamkit::http_output \
            writes the output (-o); '-' means standard input/output. A progress line goes to standard \
            error when the run takes longer than a second. Plugins in the configuration's plugin \
            directory (default .plugins) are loaded as `skit serve` loads them.
            """
    )

    @Argument(help: "The pipeline (YAML or JSON).")
    var pipeline: String

    @Option(name: [.short, .customLong("input")], help: "Input file, or '-' for standard input.")
    var input: String?

    @Option(name: [.short, .customLong("output")], help: "Output file, or '-' for standard output.")
    var output: String?

    @Option(name: .customLong("input-type"), help: "Content type of the input (default: guessed from its name).")
    var inputType: String?

    @Flag(name: .shortAndLong, help: "Print no progress or summary.")
    var quiet = false

    @Option(name: [.short, .customLong("config")], help: "Configuration file: its plugin directory is loaded and its [script] section (fetch allowlist, secrets, defaults) applies, as under skit serve. A missing file means defaults (no fetch allowed).")
    var config = "skit.toml"

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        let text = try PipelineFile.read(pipeline)
        let registry = try ScriptRegistry.make(config: FileManager.default.fileExists(atPath: config) ? config : nil, logLevel: quiet ? .warning : .info)
        let plugins = try await loadPlugins(into: registry)
        defer { withExtendedLifetime(plugins) {} }
        let runner = OneshotRunner(registry: registry, logger: Logger(label: "skit.run") { _ in SwiftLogNoOpLogHandler() })
        let plan: PipelinePlan
        do {
            plan = try runner.plan(text)
        } catch {
            StandardStreams.printError("\(pipeline): \(error.description)")
            throw ExitCode(2)
        }
        for warning in plan.warnings { StandardStreams.printError("warning: \(warning)") }
        let (readsInput, writesOutput) = OneshotRunner.endpoints(of: plan)
        if readsInput && input == nil {
            StandardStreams.printError("\(pipeline) reads its input through streamkit::http_input: pass -i FILE (or -i - for standard input)")
            throw ExitCode(2)
        }
        if !readsInput, let input {
            StandardStreams.printError("\(pipeline) has no streamkit::http_input node, so the input '\(input)' would be ignored; remove -i or add the node")
            throw ExitCode(2)
        }
        if !writesOutput, let output {
            StandardStreams.printError("\(pipeline) has no streamkit::http_output node, so nothing would be written to '\(output)'; remove -o or add the node")
            throw ExitCode(2)
        }
        var outputPath = output
        if writesOutput && outputPath == nil {
            guard !StandardStreams.stdoutIsTerminal else {
                StandardStreams.printError("\(pipeline) writes output through streamkit::http_output: pass -o FILE (or -o - for standard output)")
                throw ExitCode(2)
            }
            outputPath = "-"
        }

        let source: FileByteSource?
        let sink: FileByteSink?
        do {
            source = try input.map { try FileByteSource(path: $0) }
            sink = try outputPath.map { try FileByteSink(path: $0) }
        } catch {
            StandardStreams.printError("\(error)")
            throw ExitCode(1)
        }
        let contentType = inputType ?? input.flatMap(MediaType.guess(path:))
        let progress = quiet ? nil : ProgressReporter(source: source, sink: sink)
        progress?.start()
        let started = ContinuousClock.now
        do {
            _ = try await runner.run(plan, input: source, inputContentType: contentType, output: sink)
            try await sink?.close()
        } catch {
            progress?.stop()
            StandardStreams.printError("error: \(error)")
            throw ExitCode(1)
        }
        progress?.stop()
        if !quiet {
            let elapsed = ContinuousClock.now - started
            let outputType = OneshotRunner.outputContentType(of: plan, inputContentType: contentType)
            var summary = "done in \(ProgressReporter.format(elapsed))"
            if let source { summary += ", read \(ProgressReporter.format(bytes: source.bytesRead.load(ordering: .relaxed)))" }
            if let sink { summary += ", wrote \(ProgressReporter.format(bytes: sink.bytesWritten.load(ordering: .relaxed))) (\(outputType))" }
            StandardStreams.printError(summary)
        }
    }
}

/// Reads a pipeline file with an error that names it.
enum PipelineFile {
    static func read(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            StandardStreams.printError("cannot read pipeline '\(path)': \(error.localizedDescription)")
            throw ExitCode(2)
        }
    }
}

/// Prints a progress line on standard error once a second, after the first second.
final class ProgressReporter: Sendable {
    private let source: FileByteSource?
    private let sink: FileByteSink?
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let printed = Mutex(false)

    init(source: FileByteSource?, sink: FileByteSink?) {
        self.source = source
        self.sink = sink
    }

    func start() {
        let started = ContinuousClock.now
        let newTask = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if Task.isCancelled { return }
                report(elapsed: ContinuousClock.now - started)
            }
        }
        task.withLock { $0 = newTask }
    }

    func stop() {
        task.withLock { $0 }?.cancel()
        if printed.withLock({ $0 }), StandardStreams.stderrIsTerminal {
            FileHandle.standardError.write(Data("\n".utf8))
        }
    }

    private func report(elapsed: Duration) {
        var line = "progress: \(Self.format(elapsed))"
        if let source {
            let read = source.bytesRead.load(ordering: .relaxed)
            line += ", read \(Self.format(bytes: read))"
            if let total = source.totalBytes, total > 0 {
                line += " of \(Self.format(bytes: total)) (\(Int(Double(read) * 100 / Double(total)))%)"
            }
        }
        if let sink { line += ", wrote \(Self.format(bytes: sink.bytesWritten.load(ordering: .relaxed)))" }
        printed.withLock { $0 = true }
        if StandardStreams.stderrIsTerminal {
            FileHandle.standardError.write(Data(("\r" + line + "   ").utf8))
        } else {
            StandardStreams.printError(line)
        }
    }

    static func format(_ duration: Duration) -> String {
        String(format: "%.2f s", duration.seconds)
    }

    static func format(bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
        return String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }
}

extension RunCommand {
    /// Loads the plugin directory of the configuration (as `skit serve` does) into `registry`;
    /// nothing when the directory does not exist. Files that fail to load are reported and skipped.
    func loadPlugins(into registry: NodeRegistry) async throws -> PluginManager? {
        let configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration.load(fileAt: config, environment: ProcessInfo.processInfo.environment).0
        } catch {
            StandardStreams.printError("skit: invalid configuration: \(error)")
            throw ExitCode(2)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: configuration.plugins.directory, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        let logger = Logger(label: "skit.run") { _ in SwiftLogNoOpLogHandler() }
        let manager = PluginManager(
            directory: configuration.plugins.directory, registry: registry,
            loaders: [NativePluginLoader(logger: logger), WasmPluginLoader(limits: configuration.plugins.wasmLimits, logger: logger)], logger: logger
        )
        for result in await manager.loadAll() {
            if case .failure(let error) = result.outcome, !quiet {
                StandardStreams.printError("warning: plugin \(result.file) skipped: \(error)")
            }
        }
        return manager
    }
}
