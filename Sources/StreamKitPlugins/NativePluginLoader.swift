import Logging
import StreamKitNativePlugins
import StreamKitPluginHost

/// Loads `.so`/`.dylib`/`.dll` files through the native C ABI.
public struct NativePluginLoader: PluginLoader {
    public let type = PluginType.native
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func load(fileAt path: String, displayName: String) throws -> LoadedPlugin {
        let library = try NativePluginLibrary.load(path: path, displayName: displayName, logger: logger)
        return LoadedPlugin(
            kind: library.metadata.kind, originalKind: library.metadata.originalKind,
            definition: library.nodeDefinition(), loadDuration: library.loadDuration
        )
    }
}
