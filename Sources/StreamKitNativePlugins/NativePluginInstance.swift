import CStreamKitNativeABI
import CStreamKitPluginGuard
import StreamKitCore
import StreamKitPluginHost

/// One plugin instance (one node's worth of plugin state) and every call made on it.
///
/// Calls are made on the node's own `PluginThread`, one at a time, each under the crash guard.
/// After a fault the instance is abandoned: it is never called again, not even to destroy it,
/// because its state can no longer be trusted.
public final class NativePluginInstance: PluginInstance {
    let library: NativePluginLibrary
    private var handle: CPluginHandle?
    /// Where the plugin's output and telemetry callbacks land during a call.
    private let calls: PluginCallContext
    private var kind: String { library.metadata.kind }
    /// Whether a fault ended the instance (or it was destroyed): it takes no more calls.
    var isAbandoned: Bool { handle == nil }

    private init(library: NativePluginLibrary, handle: CPluginHandle, node: NodeContext) {
        self.library = library
        self.handle = handle
        self.calls = PluginCallContext(node: node)
    }

    /// `create_instance` with the params as JSON text, for the running node `node`.
    static func create(library: NativePluginLibrary, paramsJSON: String?, node: NodeContext) throws(StreamKitError) -> NativePluginInstance {
        var handle: CPluginHandle?
        let signal: Int32
        _ = library.logSink.takeLastError()
        if let paramsJSON {
            signal = paramsJSON.withCString { skg_create_instance(library.api, $0, PluginCallbacks.log, library.logSink.userData, &handle) }
        } else {
            signal = skg_create_instance(library.api, nil, PluginCallbacks.log, library.logSink.userData, &handle)
        }
        if signal != 0 { throw crashed(library.metadata.kind, signal: signal, call: "create_instance") }
        guard let handle else {
            // The plugin can only return NULL; the error it logged on this thread says why.
            if let reason = library.logSink.takeLastError() {
                throw .plugin("\(library.metadata.kind): create_instance failed: \(reason)")
            }
            throw .plugin("\(library.metadata.kind): create_instance returned NULL (the plugin refused these parameters or failed to start; its log may say why)")
        }
        return NativePluginInstance(library: library, handle: handle, node: node)
    }

    /// `process_packet` for one input packet.
    public func process(_ packet: Packet, on pin: String) throws(StreamKitError) -> [PluginOutput] {
        guard let handle else { throw .plugin("\(kind): the instance is no longer usable") }
        var result = PluginCallbacks.failure
        let signal = pin.withCString { pinName in
            NativePacketBridge.withCPacket(packet) { cPacket in
                skg_process_packet(library.api, handle, pinName, cPacket, PluginCallbacks.output, PluginCallbacks.telemetry, calls.userData, &result)
            }
        }
        try check(signal: signal, result: result, call: "process_packet", outputsChecked: true)
        return calls.outputs.take()
    }

    /// `update_params`; the plugin's own message on refusal. A crash abandons the instance and
    /// fails the node; a refusal leaves it running.
    public func updateParams(_ params: JSONValue) throws(PluginParamsRefusal) {
        do {
            try updateParams(json: params.jsonString())
        } catch {
            throw PluginParamsRefusal(message: "\(error)", fatal: isAbandoned ? error : nil)
        }
    }

    private func updateParams(json: String) throws(StreamKitError) {
        guard let handle else { throw .plugin("\(kind): the instance is no longer usable") }
        var result = PluginCallbacks.failure
        let signal = json.withCString { skg_update_params(library.api, handle, $0, &result) }
        try check(signal: signal, result: result, call: "update_params", outputsChecked: false)
    }

    /// `flush` at the normal end of input.
    public func flush() throws(StreamKitError) -> [PluginOutput] {
        guard let handle else { throw .plugin("\(kind): the instance is no longer usable") }
        var result = PluginCallbacks.failure
        let signal = skg_flush(library.api, handle, PluginCallbacks.output, PluginCallbacks.telemetry, calls.userData, &result)
        try check(signal: signal, result: result, call: "flush", outputsChecked: true)
        return calls.outputs.take()
    }

    /// `destroy_instance`, exactly once; nothing after a fault.
    public func finish() {
        guard let handle else { return }
        self.handle = nil
        _ = skg_destroy_instance(library.api, handle)
    }

    /// Goes to the plugin's log, under the target `host`.
    public func hostWarning(_ message: String) {
        library.logSink.log(level: LOG_LEVEL_WARN, target: "host", message: message)
    }

    /// Turns a guarded call's outcome into an error: a fault, a packet the plugin emitted that
    /// could not be converted (for calls that emit), or the plugin's own failure.
    private func check(signal: Int32, result: CResult, call: String, outputsChecked: Bool) throws(StreamKitError) {
        if signal != 0 {
            handle = nil  // abandoned: never called again
            throw Self.crashed(kind, signal: signal, call: call)
        }
        if outputsChecked, let conversionError = calls.outputs.conversionError {
            throw .plugin("\(kind): \(call) \(conversionError)")
        }
        if !result.success {
            let message = result.error_message.map { pointer in
                (try? PluginStrings.copy(pointer, limit: 64 << 10).get()) ?? "[unreadable error message]"
            } ?? "Unknown plugin error"
            throw .plugin("\(kind): \(call) failed: \(message)")
        }
    }

    private static func crashed(_ kind: String, signal: Int32, call: String) -> StreamKitError {
        .plugin("\(kind) crashed with \(SignalName.describe(signal)) in \(call); the instance was abandoned and this node stopped (the server and other nodes go on)")
    }
}
