import ArgumentParser
import Dispatch
import Foundation
import StreamKitClient
import StreamKitCore

/// `skit-cli tune SESSION NODE key=value…`: changes node parameters over the control WebSocket.
struct TuneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Change a running node's parameters (WebSocket tunenode).",
        discussion: "Values are JSON when they parse (1.5, true, [1,2], {\"a\":1}), else strings. Dotted keys build nested objects."
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Session id or name.") var session: String
    @Argument(help: "Node id.") var node: String
    @Argument(help: "Parameters as key=value.") var assignments: [String] = []

    func validate() throws {
        guard !assignments.isEmpty else { throw ValidationError("give at least one key=value") }
    }

    func run() async throws {
        let params = try ParamAssignments.parse(assignments)
        let control = try await connection.controlConnection()
        let reply: JSONValue
        do {
            reply = try await control.tuneNode(session: session, node: node, params: params)
        } catch {
            await control.close()
            throw error
        }
        await control.close()
        Console.out(reply.jsonString())
    }
}

/// `skit-cli watch [SESSION] [--json]`: prints live events until Ctrl-C.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print live events from the control plane (Ctrl-C to stop).",
        discussion: "Without --json each event is one readable line; with --json each is the server's JSON message on one line."
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Only events of this session (id or name).") var session: String?
    @Flag(help: "Print each event as the server's JSON, one per line.") var json = false

    func run() async throws {
        // Resolve a session name to its id (events always carry ids).
        var filter = session
        if let wanted = session {
            let sessions = (try? await connection.httpClient().listSessions()) ?? []
            if let match = sessions.first(where: { $0.id == wanted || $0.name == wanted }) { filter = match.id }
        }
        let control = try await connection.controlConnection()
        let events = control.events()
        let interrupt = Interrupt { Task { await control.close() } }
        defer { interrupt.cancel() }
        if !json {
            Console.err("watching \(control.url)" + (filter.map { " for session \($0)" } ?? "") + " (Ctrl-C to stop)")
        }
        for await event in events {
            if let filter, event.sessionID != filter { continue }
            if json {
                Console.out(event.rawText)
            } else {
                Console.out(Self.timestamp() + " " + event.summary)
            }
        }
    }

    /// Local wall-clock time `HH:MM:SS.mmm`.
    private static func timestamp() -> String {
        let now = Date()
        let parts = Calendar.current.dateComponents([.hour, .minute, .second, .nanosecond], from: now)
        return String(
            format: "%02d:%02d:%02d.%03d", parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0, (parts.nanosecond ?? 0) / 1_000_000
        )
    }
}

/// Runs `handler` on the first SIGINT instead of dying (so streams end cleanly); a second one ends the process.
final class Interrupt {
    private let source: any DispatchSourceSignal

    init(_ handler: @escaping @Sendable () -> Void) {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            // Restore the default so a second Ctrl-C ends the process even if closing hangs.
            signal(SIGINT, SIG_DFL)
            handler()
        }
        source.resume()
        self.source = source
    }

    func cancel() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
