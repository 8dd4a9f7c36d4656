import ArgumentParser
import Foundation
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

/// Line output that is flushed at once (so piped `watch` output appears live).
enum Console {
    static func out(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func err(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Parsing `key=value` arguments into parameters.
public enum ParamAssignments {
    /// Builds a parameters object from `key=value` pairs. Values that parse as JSON (`1.5`, `true`,
    /// `"text"`, `[1,2]`, `{"a":1}`) are used as such; anything else is a string. Dotted keys
    /// (`filter.cutoff=300`) build nested objects.
    public static func parse(_ assignments: [String]) throws(StreamKitClientError) -> JSONValue {
        var root = JSONObject()
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "=") else {
                throw .invalidArgument("'\(assignment)' is not key=value")
            }
            let key = String(assignment[..<equals])
            let raw = String(assignment[assignment.index(after: equals)...])
            let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !key.isEmpty, !path.contains(where: \.isEmpty) else {
                throw .invalidArgument("'\(assignment)' has an empty key")
            }
            set(&root, path: path[...], value: value(raw))
        }
        return .object(root)
    }

    /// One value: JSON when it parses, else the text itself.
    public static func value(_ raw: String) -> JSONValue {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, let parsed = try? OrderedJSON.parse(trimmed) else { return .string(raw) }
        return parsed
    }

    private static func set(_ object: inout JSONObject, path: ArraySlice<String>, value: JSONValue) {
        guard let first = path.first else { return }
        if path.count == 1 {
            object[first] = value
            return
        }
        var child = object[first]?.objectValue ?? JSONObject()
        set(&child, path: path.dropFirst(), value: value)
        object[first] = .object(child)
    }
}

/// Pads cells into aligned columns.
enum Table {
    static func render(_ rows: [[String]]) -> [String] {
        guard let columns = rows.map(\.count).max() else { return [] }
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }
}

/// Reads a text file given on the command line.
func readTextFile(_ path: String, what: String) throws(StreamKitClientError) -> String {
    do {
        return try String(contentsOfFile: path, encoding: .utf8)
    } catch {
        throw .invalidArgument("cannot read \(what) '\(path)': \(UploadSource.reason(error))")
    }
}
