import Foundation
import StreamKitCore

/// A loaded plugin as the API shows it. Carries the original's `PluginSummary` fields
/// (`kind`, `original_kind`, `file_name`, `categories`, `loaded_at_ms`, `plugin_type`) and ours.
public struct PluginSummary: Sendable, Equatable {
    public var kind: String
    public var originalKind: String
    public var type: PluginType
    /// The file's name inside `<directory>/<type>/`.
    public var fileName: String
    /// Hex SHA-256 of the file: identifies the version.
    public var sha256: String
    public var size: Int
    public var categories: [String]
    public var description: String
    public var inputs: [InputPin]
    public var outputs: [OutputPin]
    /// Milliseconds since the Unix epoch.
    public var loadedAtMs: UInt64
    /// 1 for the first load of this kind since the server started, +1 for each replacement.
    public var version: Int

    /// The JSON served by the plugin endpoints.
    public var json: JSONObject {
        [
            "kind": .string(kind),
            "original_kind": .string(originalKind),
            "plugin_type": .string(type.rawValue),
            "type": .string(type.rawValue),
            "file_name": .string(fileName),
            "file": .string(fileName),
            "sha256": .string(sha256),
            "size": .number(Double(size)),
            "categories": .array(categories.map { .string($0) }),
            "description": .string(description),
            "inputs": .array(inputs.map(\.json)),
            "outputs": .array(outputs.map(\.json)),
            "loaded_at_ms": .number(Double(loadedAtMs)),
            "version": .number(Double(version)),
        ]
    }
}
