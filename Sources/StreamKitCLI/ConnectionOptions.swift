import ArgumentParser
import Foundation
import StreamKitClient
import StreamKitCore

/// `--server`, `--role` and `--role-header`, accepted by every `skit-cli` command (and before the
/// command name, see ``SkitCLI/runFromCommandLine(arguments:)``).
public struct ConnectionOptions: ParsableArguments {
    @Option(name: [.customShort("s"), .long], help: "Server URL (default: $SKIT_SERVER, else http://127.0.0.1:4545).")
    public var server: String?

    @Option(help: "Role to act as, sent in the role header.")
    public var role: String?

    @Option(help: "Header that carries --role (the server's permissions.role_header).")
    public var roleHeader: String = "x-role"

    public init() {}

    /// The server: `--server`, else `SKIT_SERVER`, else the default.
    public func address(environment: [String: String] = ProcessInfo.processInfo.environment) throws(StreamKitClientError) -> ServerAddress {
        let text = server ?? environment["SKIT_SERVER"].flatMap { $0.isEmpty ? nil : $0 } ?? ServerAddress.defaultURL
        return try ServerAddress(text)
    }

    /// An HTTP client for the chosen server and role.
    public func httpClient() throws(StreamKitClientError) -> StreamKitHTTPClient {
        StreamKitHTTPClient(server: try address(), role: role, roleHeader: roleHeader)
    }

    /// A new control connection to the chosen server.
    public func controlConnection() async throws(StreamKitClientError) -> ControlConnection {
        try await ControlConnection.connect(to: try address(), role: role, roleHeader: roleHeader)
    }

    /// Option names that take a value, for moving them behind the command name.
    static let valueOptions: Set<String> = ["-s", "--server", "--role", "--role-header"]
}
