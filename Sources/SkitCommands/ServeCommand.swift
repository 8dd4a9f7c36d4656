import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import StreamKitServer

/// `skit serve`: runs the server.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the StreamKit server (HTTP API, WebSocket control plane, /metrics)."
    )

    @Option(name: [.short, .customLong("config")], help: "Configuration file (a missing file means defaults).")
    var config = "skit.toml"

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration: ServerConfiguration
        do {
            let (loaded, warnings) = try ServerConfiguration.load(fileAt: config, environment: environment)
            configuration = loaded
            for warning in warnings { StandardStreams.printError("warning: \(warning)") }
        } catch {
            StandardStreams.printError("skit: invalid configuration: \(error)")
            throw ExitCode(1)
        }
        var mutableLogger = Logger(label: "skit")
        mutableLogger.logLevel = configuration.log.consoleLevel.loggerLevel
        let logger = mutableLogger

        guard let endpoint = ListenAddress(configuration.server.address) else {
            StandardStreams.printError("skit: server.address must be IP:port (e.g. 127.0.0.1:4545), got '\(configuration.server.address)'")
            throw ExitCode(1)
        }
        if !endpoint.isLoopback && configuration.permissions.roleHeader == nil && !configuration.permissions.allowInsecureNoAuth {
            StandardStreams.printError("""
                skit: refusing to listen on \(configuration.server.address): it is not a loopback address and there is no \
                authentication. Put skit behind a proxy that authenticates users and set permissions.role_header to the \
                header it sends, or — only if you accept that anyone who can reach this address gets the default role \
                ('\(configuration.permissions.defaultRole)') — set permissions.allow_insecure_no_auth = true.
                """)
            throw ExitCode(1)
        }

        let state = ServerState(configuration: configuration, environment: environment, logger: logger)
        let pluginResults = await state.loadPlugins()
        let skipped = pluginResults.filter { if case .failure = $0.outcome { true } else { false } }.count
        if !pluginResults.isEmpty {
            logger.info("plugins", metadata: ["loaded": "\(pluginResults.count - skipped)", "skipped": "\(skipped)", "directory": "\(state.plugins.directory.path)"])
        }
        let application = StreamKitServer.makeApplication(state: state, host: endpoint.host, port: endpoint.port) { port in
            logger.info("skit listening", metadata: ["address": "\(endpoint.host):\(port)"])
        }
        let sessions = SessionShutdown(state: state, timeout: .seconds(configuration.server.shutdownTimeoutSecs))
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: application), .init(service: sessions)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
    }
}

/// Stops every session when the server shuts down, within a deadline.
struct SessionShutdown: Service {
    let state: ServerState
    let timeout: Duration

    func run() async throws {
        try? await gracefulShutdown()
        let sessions = state.sessions
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await sessions.destroyAll()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !finished { state.logger.warning("sessions did not all stop within \(timeout)") }
    }
}

/// A literal `IP:port` listen address.
struct ListenAddress {
    var host: String
    var port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }

    var isLoopback: Bool {
        host == "::1" || host.hasPrefix("127.") || host == "localhost"
    }
}
