import StreamKitCore

/// What a loader learned from a plugin file: the node kind it provides, ready to register.
public struct LoadedPlugin: Sendable {
    /// The namespaced kind, e.g. `plugin::native::gain`.
    public var kind: String
    /// Exactly what the plugin called itself, e.g. `gain`.
    public var originalKind: String
    public var definition: NodeDefinition
    /// How long loading took (open, entry point, metadata).
    public var loadDuration: Duration

    public init(kind: String, originalKind: String, definition: NodeDefinition, loadDuration: Duration) {
        self.kind = kind
        self.originalKind = originalKind
        self.definition = definition
        self.loadDuration = loadDuration
    }
}

/// Turns a plugin file into a node kind. One per plugin type; the manager owns files and
/// versions and calls a loader only with a private copy of the file that nothing else uses.
public protocol PluginLoader: Sendable {
    var type: PluginType { get }
    /// Loads the file at `path`; `displayName` is the name users know it by. Blocking.
    /// Errors are shown to users as they are, so they must say what is wrong with the file.
    func load(fileAt path: String, displayName: String) throws -> LoadedPlugin
}
