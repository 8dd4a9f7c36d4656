import Logging
import StreamKitComponentModel
import StreamKitCore
import StreamKitPluginHost

/// One `node-instance` of a plugin component: the component instance, the resource the
/// constructor made, and the calls a node makes on it.
///
/// Not Sendable, like ``ComponentInstance``: it lives on the thread that made it (a node's plugin
/// thread, or a benchmark's). Every call runs under the library's CPU budget and memory cap.
public final class WasmNodeInstance {
    /// A failed call. `broken` says the instance can no longer be used (a trap, a limit): no
    /// `cleanup` or destructor will run on it.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public var broken: Bool
    }

    private let kind: String
    private let instance: ComponentInstance
    private let exports: WasmPluginLinker.NodeExports
    private let outputs = PluginCallOutputs()
    private let handle: ResourceHandle
    private var healthy = true

    /// Instantiates the component and runs its constructor with `params` (under the start-up
    /// budget, which may start a language runtime).
    public init(library: WasmPluginLibrary, params: JSONValue, logger: Logger) throws(StreamKitError) {
        kind = library.kind
        do {
            instance = try ComponentInstance(library.component, linker: WasmPluginLinker.make(logger: logger, outputs: outputs), engine: library.engine, limits: library.limits)
            exports = try WasmPluginLinker.exports(of: instance, resource: try WasmPluginLinker.nodeResource(instance))
        } catch {
            throw .plugin("\(library.kind): cannot instantiate the component: \(error)")
        }
        let made: ComponentValue?
        do {
            made = try instance.call(exports.constructor, [.option(.string(params.jsonString()))], startup: true).first
        } catch {
            throw .plugin("\(library.kind): the constructor failed: \(error)")
        }
        guard case .own(let handle)? = made else { throw .plugin("\(library.kind): the constructor returned no node-instance") }
        self.handle = handle
    }

    /// Runs `process` on one packet and returns what the guest sent with `send-output` during
    /// the call, in order.
    public func process(_ packet: Packet, on pin: String) throws(Failure) -> [PluginOutput] {
        let result: ComponentValue?
        do {
            result = try instance.call(exports.process, [.borrow(handle), .string(pin), WasmPacketBridge.value(packet)]).first
        } catch {
            healthy = false
            _ = outputs.take()
            throw Failure(description: "\(kind): process failed: \(error)", broken: true)
        }
        if let conversion = outputs.conversionError {
            _ = outputs.take()
            throw Failure(description: "\(kind): process \(conversion)", broken: false)
        }
        if case .error(let message)? = result {
            _ = outputs.take()
            throw Failure(description: "\(kind): process failed: \(Self.text(message))", broken: false)
        }
        return outputs.take()
    }

    /// Runs `update-params`; an `err` from the guest is a refusal, the instance goes on.
    public func updateParams(_ params: JSONValue) throws(Failure) {
        let result: ComponentValue?
        do {
            result = try instance.call(exports.updateParams, [.borrow(handle), .option(.string(params.jsonString()))]).first
        } catch {
            healthy = false
            throw Failure(description: "\(kind): update-params failed: \(error)", broken: true)
        }
        if case .error(let message)? = result {
            throw Failure(description: "\(kind): update-params refused: \(Self.text(message))", broken: false)
        }
    }

    /// Runs `cleanup` and drops the resource (its destructor), unless a trap or a limit broke
    /// the instance. Errors here are not reported: the node is ending anyway.
    public func finish() {
        guard healthy else { return }
        healthy = false
        _ = try? instance.call(exports.cleanup, [.borrow(handle)])
        try? instance.drop(handle)
    }

    private static func text(_ value: ComponentValue?) -> String {
        if case .string(let message)? = value { return message }
        return "unknown error"
    }
}
