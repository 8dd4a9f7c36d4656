import Foundation
import Logging
import StreamKitComponentModel
import StreamKitPluginHost
import StreamKitWasmPlugins

/// Loads `.wasm` components of the world `streamkit:plugin@0.1.0`.
public struct WasmPluginLoader: PluginLoader {
    public let type = PluginType.wasm
    private let engine: ComponentEngine
    private let limits: ComponentLimits
    private let loadBudget: Duration
    private let logger: Logger

    /// - Parameters:
    ///   - limits: the CPU budget per call and memory cap of every instance.
    ///   - loadBudget: CPU budget for instantiating the component and reading its metadata at load.
    public init(limits: ComponentLimits = ComponentLimits(), loadBudget: Duration = .seconds(10), logger: Logger) {
        self.engine = ComponentEngine()
        self.limits = limits
        self.loadBudget = loadBudget
        self.logger = logger
    }

    public func load(fileAt path: String, displayName: String) throws -> LoadedPlugin {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WasmPluginLoadError.notAComponent(file: displayName, reason: "the file cannot be read")
        }
        let library = try WasmPluginLibrary.load(
            bytes: [UInt8](data), file: displayName, engine: engine, limits: limits, loadBudget: loadBudget, logger: logger
        )
        return LoadedPlugin(kind: library.kind, originalKind: library.originalKind, definition: library.nodeDefinition(), loadDuration: library.loadDuration)
    }
}
