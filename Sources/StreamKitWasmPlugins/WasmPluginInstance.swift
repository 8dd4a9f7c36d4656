import Logging
import StreamKitCore
import StreamKitPluginHost

/// A ``WasmNodeInstance`` as the plugin host drives it: its failures become node errors and
/// refusals, the way the host words them for every kind.
public final class WasmPluginInstance: PluginInstance {
    private let node: WasmNodeInstance
    private let logger: Logger

    init(node: WasmNodeInstance, logger: Logger) {
        self.node = node
        self.logger = logger
    }

    public func process(_ packet: Packet, on pin: String) throws(StreamKitError) -> [PluginOutput] {
        do {
            return try node.process(packet, on: pin)
        } catch {
            throw .plugin(error.description)
        }
    }

    /// An `err` from the guest is a refusal; a trap or a limit also breaks the instance.
    public func updateParams(_ params: JSONValue) throws(PluginParamsRefusal) {
        do {
            try node.updateParams(params)
        } catch {
            throw PluginParamsRefusal(message: error.description, fatal: error.broken ? .plugin(error.description) : nil)
        }
    }

    public func finish() {
        node.finish()
    }

    public func hostWarning(_ message: String) {
        logger.warning("\(message)")
    }
}
