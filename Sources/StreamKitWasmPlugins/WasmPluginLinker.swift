import Logging
import StreamKitComponentModel
import StreamKitCore
import StreamKitPluginHost

/// The imports a plugin component gets: `streamkit:plugin/host` and a WASI 0.2 that grants nothing.
enum WasmPluginLinker {
    /// `outputs` collects what the guest's `send-output` calls emit during a call (nil while loading).
    static func make(logger: Logger, outputs: PluginCallOutputs?) -> ComponentLinker {
        var linker = ComponentLinker()
        WASIPreview2(configuration: .init(log: { stream, line in
            logger.info("\(line)", metadata: ["stream": "\(stream)"])
        })).define(in: &linker)
        linker.defineInterface(PluginWIT.typesInterface)
        linker.define(interface: PluginWIT.hostInterface, function: "send-output", type: PluginWIT.sendOutput) { arguments in
            guard let outputs else { return [.error(.string("send-output is not available while loading"))] }
            guard arguments.count == 2, case .string(let pin) = arguments[0] else { return [.error(.string("bad arguments"))] }
            do {
                outputs.append(try WasmPacketBridge.packet(arguments[1]), on: pin)
                return [.ok(nil)]
            } catch {
                outputs.recordConversionError("emitted a bad packet on '\(pin)': \(error)")
                return [.error(.string("\(error)"))]
            }
        }
        linker.define(interface: PluginWIT.hostInterface, function: "log", type: PluginWIT.log) { arguments in
            guard arguments.count == 2, case .enumeration(let level) = arguments[0], case .string(let message) = arguments[1] else { return [] }
            let swiftLevel: Logger.Level = switch level {
            case "debug": .debug
            case "info": .info
            case "warn": .warning
            default: .error
            }
            logger.log(level: swiftLevel, "\(message)")
            return []
        }
        return linker
    }

    static func nodeResource(_ instance: ComponentInstance) throws -> ResourceType {
        guard let resource = instance.resource(PluginWIT.resourceName, in: PluginWIT.nodeInterface) else {
            throw ComponentError(.link, "the component exports no resource `\(PluginWIT.resourceName)` in `\(PluginWIT.nodeInterface)`")
        }
        return resource
    }

    struct NodeExports {
        var constructor: ComponentFunction
        var process: ComponentFunction
        var updateParams: ComponentFunction
        var cleanup: ComponentFunction
    }

    /// The node-instance functions, each checked against the host's WIT.
    static func exports(of instance: ComponentInstance, resource: ResourceType) throws -> NodeExports {
        NodeExports(
            constructor: try instance.function("[constructor]node-instance", in: PluginWIT.nodeInterface, expecting: PluginWIT.constructor(resource)),
            process: try instance.function("[method]node-instance.process", in: PluginWIT.nodeInterface, expecting: PluginWIT.process(resource)),
            updateParams: try instance.function("[method]node-instance.update-params", in: PluginWIT.nodeInterface, expecting: PluginWIT.updateParams(resource)),
            cleanup: try instance.function("[method]node-instance.cleanup", in: PluginWIT.nodeInterface, expecting: PluginWIT.cleanup(resource))
        )
    }
}
