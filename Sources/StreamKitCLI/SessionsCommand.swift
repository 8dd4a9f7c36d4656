import ArgumentParser
import Foundation
import StreamKitClient
import StreamKitCore

/// `skit-cli sessions list|create|destroy|show`.
struct SessionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List, create, inspect and destroy dynamic sessions.",
        subcommands: [List.self, Create.self, Destroy.self, Show.self],
        defaultSubcommand: List.self
    )

    /// `sessions list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the sessions you may see.")

        @OptionGroup var answer: ServerAnswerOptions

        func run() async throws {
            let sessions = try await answer.connection.httpClient().listSessions()
            Listing.print(sessions, asJSON: answer.json, json: Self.listedJSON, columns: ["NAME", "SESSION ID", "CREATED"], whenEmpty: "no sessions") {
                [$0.name ?? "-", $0.id, $0.createdAt]
            }
        }

        /// A session as the server lists it: `{id, name?, created_at}`.
        private static func listedJSON(_ session: RemoteSession) -> JSONValue {
            var object: JSONObject = ["id": .string(session.id)]
            if let name = session.name { object["name"] = .string(name) }
            object["created_at"] = .string(session.createdAt)
            return .object(object)
        }
    }

    /// `sessions create PIPELINE.yml [--name N]`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a dynamic session from a pipeline YAML file.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Pipeline YAML file.") var pipeline: String
        @Option(name: [.short, .long], help: "Session name (generated when omitted).") var name: String?

        func run() async throws {
            let yaml = try readTextFile(pipeline, what: "pipeline")
            let session = try await connection.httpClient().createSession(yaml: yaml, name: name)
            Console.out("created session \(session.id)" + (session.name.map { " (\($0))" } ?? ""))
        }
    }

    /// `sessions destroy ID`.
    struct Destroy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a session (by id or name).")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Session id or name.") var session: String

        func run() async throws {
            let id = try await connection.httpClient().destroySession(session)
            Console.out("destroyed session \(id)")
        }
    }

    /// `sessions show ID`: nodes with state and stats, and connections.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a session's nodes (with state and stats) and connections.")

        @OptionGroup var answer: ServerAnswerOptions
        @Argument(help: "Session id or name.") var session: String

        func run() async throws {
            let pipeline = try await answer.connection.httpClient().pipeline(of: session)
            if answer.json {
                Console.out(pipeline.json.jsonString(pretty: true))
                return
            }
            Console.out("session \(session)" + (pipeline.name.map { $0 == session ? "" : " (\($0))" } ?? ""))
            let rows = [["NODE", "KIND", "STATE", "STATS"]] + pipeline.nodes.map { [$0.id, $0.kind, $0.stateText, $0.statsText] }
            for line in Table.render(rows) { Console.out("  " + line) }
            if !pipeline.connections.isEmpty {
                Console.out("connections:")
                for link in pipeline.connections { Console.out("  \(link)") }
            }
        }
    }
}
