import ArgumentParser
import Foundation
import StreamKitClient

/// `skit-cli process PIPELINE.yml -i FILE|- -o FILE|-`: a oneshot run over HTTP.
struct ProcessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Run a oneshot pipeline on the server: upload the input, stream the output back.",
        discussion: "The input is streamed from disk (or stdin) as it is sent; the output is written as it arrives."
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "Pipeline YAML (with streamkit::http_input and streamkit::http_output).")
    var pipeline: String

    @Option(name: [.short, .long], help: "Input file sent as the media part ('-' for stdin). Omit for pipelines that read files.")
    var input: String?

    @Option(name: [.short, .long], help: "Where to write the output ('-' for stdout).")
    var output: String = "-"

    @Option(help: "Content-Type of the input (default: guessed from the file extension).")
    var contentType: String?

    @Flag(name: [.short, .long], help: "Do not print the summary line to stderr.")
    var quiet = false

    func run() async throws {
        let yaml = try readTextFile(pipeline, what: "pipeline")
        let client = try connection.httpClient()
        let target = DownloadTarget(argument: output)
        let result = try await client.process(
            pipelineYAML: yaml, input: input.map(UploadSource.init(argument:)),
            inputContentType: contentType, output: target
        )
        guard !quiet else { return }
        let destination = output == "-" ? "stdout" : output
        let seconds = Double(result.duration.components.seconds) + Double(result.duration.components.attoseconds) / 1e18
        Console.err("wrote \(result.bytes) bytes to \(destination) (\(result.contentType ?? "no content type"), \(formatSeconds(seconds)))")
    }
}
