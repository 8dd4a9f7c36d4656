import ArgumentParser
import Foundation
import Logging
import StreamKitCore
import StreamKitNodes
import StreamKitScript
import StreamKitServer

/// The node registry of the commands that run or check pipelines without a server: the built-in
/// kinds plus `core::script` and `transport::http::fetcher`, with `[script]` read from `-c FILE`
/// exactly as `skit serve` reads it (fetch allowlist, secrets from the environment, defaults).
/// Without a file, scripts get the defaults and no fetch is allowed.
enum ScriptRegistry {
    static func make(config: String?, logLevel: Logger.Level = .info) throws -> NodeRegistry {
        var logger = Logger(label: "skit.script")
        logger.logLevel = logLevel
        guard let config else {
            let registry = BuiltinNodes.makeRegistry()
            ScriptNodes.register(into: registry, settings: ScriptSettings(logger: logger))
            return registry
        }
        let environment = ProcessInfo.processInfo.environment
        do {
            let (configuration, warnings) = try ServerConfiguration.load(fileAt: config, environment: environment)
            for warning in warnings { StandardStreams.printError("warning: \(warning)") }
            return configuration.makeNodeRegistry(environment: environment, logger: logger)
        } catch {
            StandardStreams.printError("skit: invalid configuration: \(error)")
            throw ExitCode(2)
        }
    }
}
