/// The two kinds of plugin the server loads.
public enum PluginType: String, Sendable, CaseIterable, Codable {
    /// A shared library speaking the C ABI (`.so`, `.dylib`, `.dll`).
    case native
    /// A WebAssembly component of the world `streamkit:plugin@0.1.0` (`.wasm`).
    case wasm

    /// The subfolder of the plugin directory holding this type's files.
    public var directoryName: String { rawValue }

    /// File extensions (exact, case-sensitive, as the original) of this type.
    public var fileExtensions: [String] {
        switch self {
        case .native: ["so", "dylib", "dll"]
        case .wasm: ["wasm"]
        }
    }

    /// The prefix of every kind this type registers.
    public var kindPrefix: String { "plugin::\(rawValue)::" }

    /// The type a file name's extension says, or nil.
    public static func forFileName(_ name: String) -> PluginType? {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let fileExtension = String(name[name.index(after: dot)...])
        return allCases.first { $0.fileExtensions.contains(fileExtension) }
    }
}
