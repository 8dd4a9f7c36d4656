import Foundation
import Logging
import StreamKitComponentModel
import StreamKitCore
import StreamKitPluginHost

/// A loaded WASM plugin: the parsed component (shared by every node), its metadata (read once,
/// at load, from an instance of its own) and the limits every instance runs under.
public final class WasmPluginLibrary: Sendable {
    public static let kindPrefix = "plugin::wasm::"

    /// The file the plugin was loaded from (for messages).
    public let file: String
    public let kind: String
    public let originalKind: String
    public let inputs: [InputPin]
    public let outputs: [OutputPin]
    public let paramSchema: JSONValue
    public let categories: [String]
    public let limits: ComponentLimits
    public let loadDuration: Duration
    let component: Component
    let engine: ComponentEngine
    let logger: Logger

    private init(
        file: String, kind: String, originalKind: String, inputs: [InputPin], outputs: [OutputPin], paramSchema: JSONValue,
        categories: [String], limits: ComponentLimits, loadDuration: Duration, component: Component, engine: ComponentEngine, logger: Logger
    ) {
        self.file = file
        self.kind = kind
        self.originalKind = originalKind
        self.inputs = inputs
        self.outputs = outputs
        self.paramSchema = paramSchema
        self.categories = categories
        self.limits = limits
        self.loadDuration = loadDuration
        self.component = component
        self.engine = engine
        self.logger = logger
    }

    /// Parses, validates and instantiates the component once, and reads its metadata. Blocking.
    public static func load(
        bytes: [UInt8], file: String, engine: ComponentEngine, limits: ComponentLimits, loadBudget: Duration, logger base: Logger
    ) throws(WasmPluginLoadError) -> WasmPluginLibrary {
        let clock = ContinuousClock()
        let started = clock.now
        let component: Component
        do {
            component = try Component(bytes: bytes)
        } catch {
            throw .notAComponent(file: file, reason: "\(error)")
        }
        var logger = Logger(label: "plugin.wasm")
        logger.logLevel = base.logLevel
        logger[metadataKey: "plugin_file"] = "\(file)"
        // The metadata instance gets the load budget (a componentize-py guest initialises CPython).
        let probeLimits = ComponentLimits(cpuBudget: loadBudget, memoryLimit: limits.memoryLimit, startupBudget: loadBudget)
        let metadataValue: ComponentValue
        do {
            let linker = WasmPluginLinker.make(logger: logger, outputs: nil)
            let instance = try ComponentInstance(component, linker: linker, engine: engine, limits: probeLimits)
            let resource = try WasmPluginLinker.nodeResource(instance)
            _ = try WasmPluginLinker.exports(of: instance, resource: resource)
            let metadata = try instance.function("metadata", in: PluginWIT.nodeInterface, expecting: PluginWIT.metadata)
            guard let value = try instance.call(metadata).first else { throw WasmPluginLoadError.invalidMetadata(file: file, reason: "metadata() returned nothing") }
            metadataValue = value
        } catch let error as WasmPluginLoadError {
            throw error
        } catch {
            throw .instantiationFailed(file: file, reason: "\(error)")
        }
        let parsed = try Self.parseMetadata(metadataValue, file: file)
        var pluginLogger = Logger(label: "plugin.wasm.\(parsed.originalKind)")
        pluginLogger.logLevel = base.logLevel
        pluginLogger[metadataKey: "plugin"] = "\(Self.kindPrefix)\(parsed.originalKind)"
        return WasmPluginLibrary(
            file: file, kind: parsed.kind, originalKind: parsed.originalKind, inputs: parsed.inputs, outputs: parsed.outputs,
            paramSchema: parsed.schema, categories: parsed.categories, limits: limits, loadDuration: clock.now - started,
            component: component, engine: engine, logger: pluginLogger
        )
    }

    private struct ParsedMetadata {
        var kind: String
        var originalKind: String
        var inputs: [InputPin]
        var outputs: [OutputPin]
        var schema: JSONValue
        var categories: [String]
    }

    private static func parseMetadata(_ value: ComponentValue, file: String) throws(WasmPluginLoadError) -> ParsedMetadata {
        func fail(_ reason: String) -> WasmPluginLoadError { .invalidMetadata(file: file, reason: reason) }
        guard case .record(let fields) = value, fields.count == 5, case .string(let rawKind) = fields[0],
              case .list(let inputValues) = fields[1], case .list(let outputValues) = fields[2],
              case .string(let schemaText) = fields[3], case .list(let categoryValues) = fields[4] else {
            throw fail("metadata() did not return a node-metadata record")
        }
        let kind: String
        do {
            kind = try PluginKindName.namespaced(rawKind, prefix: kindPrefix)
        } catch {
            throw fail(error.description)
        }
        var inputs: [InputPin] = []
        for (index, pinValue) in inputValues.enumerated() {
            guard case .record(let pin) = pinValue, pin.count == 2, case .string(let name) = pin[0], case .list(let types) = pin[1], !name.isEmpty else {
                throw fail("inputs[\(index)] is malformed or unnamed")
            }
            guard !types.isEmpty else { throw fail("input pin '\(name)' accepts no packet types") }
            guard !inputs.contains(where: { $0.name == name }) else { throw fail("two input pins are named '\(name)'") }
            var accepts: [PacketType] = []
            for (typeIndex, type) in types.enumerated() {
                do { accepts.append(try WasmPacketBridge.packetType(type, field: "input pin '\(name)' accepts-types[\(typeIndex)]")) } catch { throw fail(error.description) }
            }
            inputs.append(InputPin(name: name, accepts: accepts))
        }
        var outputs: [OutputPin] = []
        for (index, pinValue) in outputValues.enumerated() {
            guard case .record(let pin) = pinValue, pin.count == 2, case .string(let name) = pin[0], !name.isEmpty else {
                throw fail("outputs[\(index)] is malformed or unnamed")
            }
            guard !outputs.contains(where: { $0.name == name }) else { throw fail("two output pins are named '\(name)'") }
            do { outputs.append(OutputPin(name: name, produces: try WasmPacketBridge.packetType(pin[1], field: "output pin '\(name)' produces-type"))) } catch { throw fail(error.description) }
        }
        let schema: JSONValue
        do {
            schema = try PluginParamSchema.parse(schemaText, field: "param-schema")
        } catch {
            throw fail(error.description)
        }
        let categories = categoryValues.compactMap { value -> String? in if case .string(let text) = value { text } else { nil } }
        return ParsedMetadata(kind: kind, originalKind: String(kind.dropFirst(kindPrefix.count)), inputs: inputs, outputs: outputs, schema: schema, categories: categories)
    }
}

/// Why a WASM plugin could not be loaded.
public enum WasmPluginLoadError: Error, Sendable, CustomStringConvertible {
    case notAComponent(file: String, reason: String)
    case instantiationFailed(file: String, reason: String)
    case invalidMetadata(file: String, reason: String)

    public var description: String {
        switch self {
        case .notAComponent(let file, let reason): "'\(file)' is not a valid WebAssembly component: \(reason)"
        case .instantiationFailed(let file, let reason): "'\(file)' cannot run as a streamkit:plugin@0.1.0 component: \(reason)"
        case .invalidMetadata(let file, let reason): "'\(file)': invalid plugin metadata: \(reason)"
        }
    }
}

/// What the plugin host needs to run a WASM plugin as nodes. The component model contains a
/// guest by itself, so its threads need no preparation (unlike the native crash guard's).
extension WasmPluginLibrary: PluginLibrary {
    public var summary: String { "WASM plugin '\(originalKind)'" }
    public var inputPins: [InputPin] { inputs }
    public var outputPins: [OutputPin] { outputs }
    public var threadName: String { "skit-wasm" }

    public func makeInstance(params: JSONValue, node: NodeContext) throws(StreamKitError) -> WasmPluginInstance {
        var logger = self.logger
        logger[metadataKey: "node"] = "\(node.nodeID)"
        return WasmPluginInstance(node: try WasmNodeInstance(library: self, params: params, logger: logger), logger: logger)
    }
}
