import Foundation
import Logging
import StreamKitCore

/// `core::script`: runs a JavaScript `process(packet)` on every packet.
///
/// `process` returns a packet (changed or not), `null` to drop it, or a promise of either
/// (`async function process(packet)`). A script that throws, is rejected, runs past `timeout_ms`
/// or past `memory_limit_mb` lets the original packet through; the failure is logged and counted
/// (`errored`). Packets are processed one at a time, in order. JavaScript runs on the node's own
/// queue (``ScriptRuntime``); the node's task only moves packets.
struct ScriptNode: Node {
    static let kind = "core::script"

    static func definition(settings: ScriptSettings) -> NodeDefinition {
        NodeDefinition(
            kind: kind,
            description: "Runs JavaScript on every packet: transform, drop, call allowlisted HTTP APIs with fetch(), emit telemetry.",
            categories: ["core", "scripting"],
            paramSchema: paramSchema(settings: settings),
            inputs: [InputPin(name: "in", accepts: [.any])],
            outputs: [OutputPin(name: "out", produces: .passthrough)],
            factory: { params in try ScriptNode(params: params, settings: settings) }
        )
    }

    static func paramSchema(settings: ScriptSettings) -> JSONValue {
        let mapping: JSONValue = [
            "type": "object",
            "properties": [
                "secret": ["type": "string", "description": "Name of a [script.secrets] entry."],
                "header": ["type": "string", "description": "HTTP header to put it in."],
                "template": ["type": "string", "description": "Header value; {} is replaced by the secret.", "default": "{}"],
            ],
            "required": ["secret", "header"],
        ]
        return [
            "type": "object",
            "properties": [
                "script": ["type": "string", "description": "JavaScript defining process(packet). One of script or script_path is required."],
                "script_path": ["type": "string", "description": "A file with the script, read when the node is made (security.allowed_file_paths applies)."],
                "timeout_ms": [
                    "type": "integer", "description": "Time process() may take per packet, in milliseconds (awaited fetches included).",
                    "default": .number(Double(settings.defaultTimeoutMs)), "minimum": 1, "maximum": 600_000,
                ],
                "memory_limit_mb": [
                    "type": "integer", "description": "Heap limit of the script's JavaScript runtime, in MiB.",
                    "default": .number(Double(settings.defaultMemoryLimitMB)), "minimum": 1, "maximum": 4096,
                ],
                "vars": [
                    "type": "object", "default": [:],
                    "description": "Values the script reads as the frozen global `vars` (endpoint URLs, model names; never secrets: use headers).",
                ],
                "output_type": [
                    "type": "string", "enum": ["Passthrough", "Any", "Text", "Transcription", "Binary"], "default": "Passthrough",
                    "description": "What 'out' is declared to carry: the input's type (the original's Passthrough), or what the script turns packets into (e.g. Text after speech-to-text).",
                ],
                "headers": [
                    "type": "array", "items": mapping, "default": [],
                    "description": "Server secrets fetch() adds as request headers; scripts never see their values.",
                ],
            ],
        ]
    }

    let configuration: ScriptRuntime.Configuration
    let outputType: PacketType

    var inputPins: [InputPin] { [InputPin(name: "in", accepts: [.any])] }
    var outputPins: [OutputPin] { [OutputPin(name: "out", produces: outputType)] }

    init(params: JSONValue, settings: ScriptSettings) throws {
        let path = params["script_path"]?.stringValue ?? ""
        let source: String
        if !path.isEmpty {
            do {
                source = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ScriptError("cannot read script_path '\(path)': it is missing, a directory or not UTF-8 text")
            }
        } else if let inline = params["script"]?.stringValue, !inline.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            source = inline
        } else {
            throw ScriptError("one of params.script or params.script_path is required")
        }
        if let problem = ScriptSyntax.problem(in: source) {
            guard !path.isEmpty else { throw ScriptError("script: \(problem)") }
            // For a file, only the error's kind and line: the parser's message quotes the offending token,
            // which must not turn script_path into a way of reading files the caller may not read.
            let kind = problem.prefix { $0 != ":" }
            let line = problem.range(of: "(line ", options: .backwards).map { String(problem[$0.lowerBound...]) } ?? ""
            throw ScriptError("script_path '\(path)': \(kind) \(line)")
        }
        var secretHeaders: [ScriptRuntime.SecretHeader] = []
        for (index, mapping) in (params["headers"]?.arrayValue ?? []).enumerated() {
            let name = mapping["secret"]?.stringValue ?? ""
            let header = mapping["header"]?.stringValue ?? ""
            let template = mapping["template"]?.stringValue ?? "{}"
            guard ScriptRuntime.isHeaderName(header) else {
                throw ScriptError("params.headers[\(index)].header: '\(header)' is not an HTTP header name")
            }
            guard let secret = settings.secrets[name] else {
                let known = settings.secrets.keys.sorted()
                throw ScriptError("params.headers[\(index)].secret: no secret '\(name)' in [script.secrets]" + (known.isEmpty ? " (none are defined)" : " (defined: \(known.joined(separator: ", ")))"))
            }
            guard let value = secret.value else {
                throw ScriptError("params.headers[\(index)].secret: secret '\(name)' has no value (environment variable \(secret.environmentVariable) is not set where the server started)")
            }
            guard !template.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw ScriptError("params.headers[\(index)].template must be one line")
            }
            secretHeaders.append(.init(header: header, template: template, secretName: name, value: value, allowedURLs: secret.allowedURLs))
        }
        outputType = switch params["output_type"]?.stringValue ?? "Passthrough" {
        case "Any": .any
        case "Text": .text
        case "Transcription": .transcription
        case "Binary": .binary
        default: .passthrough
        }
        let timeoutMs = params["timeout_ms"]?.intValue ?? settings.defaultTimeoutMs
        let memoryMB = params["memory_limit_mb"]?.intValue ?? settings.defaultMemoryLimitMB
        let vars = params["vars"]?.objectValue.map { JSONValue.object($0).jsonString() } ?? "{}"
        configuration = ScriptRuntime.Configuration(
            nodeID: "script", source: source, varsJSON: vars, timeout: .milliseconds(max(1, timeoutMs)),
            memoryLimitBytes: max(1, memoryMB) << 20, secretHeaders: secretHeaders, settings: settings
        )
    }

    func run(context: NodeContext) async throws {
        var configuration = self.configuration
        configuration.nodeID = context.nodeID
        let runtime: ScriptRuntime
        do {
            runtime = try await ScriptRuntime.start(configuration: configuration, node: context)
        } catch {
            throw StreamKitError.runtime("core::script '\(context.nodeID)': \(error)")
        }
        context.setState(.running)
        do {
            try await loop(runtime: runtime, context: context)
        } catch {
            await runtime.close()
            throw error
        }
        await runtime.close()
    }

    private func loop(runtime: ScriptRuntime, context: NodeContext) async throws {
        var batch: [Packet] = []
        while let input = await context.next() {
            var next: NodeInput? = input
            // Take what is queued now (up to the batch size) so one hop to the script's queue serves many packets.
            while let current = next {
                guard case .packet(_, let packet) = current else { break }
                batch.append(packet)
                next = batch.count < context.batchSize ? context.nextIfReady() : nil
            }
            if !batch.isEmpty {
                try await process(batch, runtime: runtime, context: context)
                batch.removeAll(keepingCapacity: true)
            }
            switch next {
            case .paramsUpdate(let update)?:
                update.reject("core::script parameters cannot be changed while it runs; recreate the node")
            default:
                break
            }
        }
    }

    private func process(_ packets: [Packet], runtime: ScriptRuntime, context: NodeContext) async throws {
        var index = 0
        while index < packets.count {
            let steps = try await runtime.process(Array(packets[index...]))
            for step in steps {
                let original = packets[index]
                index += 1
                switch step {
                case .done(let outcome):
                    try await deliver(outcome, original: original, runtime: runtime, context: context)
                case .pending(let call):
                    let outcome = await call.wait(
                        until: call.started + configuration.timeout,
                        timeoutMessage: "timed out after \(Int(configuration.timeout.seconds * 1000)) ms (timeout_ms) waiting for process()'s promise"
                    )
                    runtime.abandon(call)
                    try await deliver(outcome, original: original, runtime: runtime, context: context)
                }
            }
        }
    }

    private func deliver(_ outcome: CallOutcome, original: Packet, runtime: ScriptRuntime, context: NodeContext) async throws {
        switch outcome {
        case .result(.emit(let packet)):
            try await context.send(packet)
        case .result(.unchanged):
            try await context.send(original)
        case .result(.drop):
            context.countDiscarded()
        case .result(.invalid(let message)), .failed(let message):
            context.countErrored()
            runtime.logger.warning("script failed on a packet; it passes through unchanged", metadata: ["error": "\(message)"])
            context.emitTelemetry("script.error", data: ["message": .string(message), "packet_type": .string(original.variantName)])
            try await context.send(original)
        }
    }
}
