import CStreamKitNativeABI
import Foundation
import StreamKitCore
import StreamKitPluginHost

/// What one plugin call hands the host through its callbacks: output packets (delivered
/// downstream after the call returns, with backpressure), a conversion error, if any, and
/// telemetry (sent on at once, through the running node).
///
/// Passed to the plugin as both the output and the telemetry `user_data`. Used only on the
/// instance's own thread, during the call.
final class PluginCallContext {
    let node: NodeContext
    let outputs = PluginCallOutputs()

    init(node: NodeContext) {
        self.node = node
    }

    var userData: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func from(_ userData: UnsafeMutableRawPointer) -> PluginCallContext {
        Unmanaged<PluginCallContext>.fromOpaque(userData).takeUnretainedValue()
    }
}

enum PluginCallbacks {
    static var failure: CResult { CResult(success: false, error_message: nil) }
    static var success: CResult { CResult(success: true, error_message: nil) }

    /// `COutputCallback`: deep-copies one emitted packet.
    static let output: COutputCallback = { pin, packet, userData in
        guard let pin, let packet, let userData else { return PluginCallbacks.failure }
        let context = PluginCallContext.from(userData)
        guard let pinName = String(validatingCString: pin) else {
            context.outputs.recordConversionError("emitted a packet on a pin whose name is not valid UTF-8")
            return PluginCallbacks.failure
        }
        do {
            context.outputs.append(try NativePacketBridge.packet(from: packet), on: pinName)
            return PluginCallbacks.success
        } catch {
            context.outputs.recordConversionError("emitted a bad packet on '\(pinName)': \(error)")
            return PluginCallbacks.failure
        }
    }

    /// `CTelemetryCallback`: best effort, always succeeds (as the original).
    static let telemetry: CTelemetryCallback = { eventType, data, length, metadata, userData in
        guard let eventType, let userData, let type = String(validatingCString: eventType), !type.isEmpty else {
            return PluginCallbacks.success
        }
        let context = PluginCallContext.from(userData)
        var body: JSONObject = [:]
        if let data, length > 0, length <= NativePacketBridge.maxPayloadBytes {
            let text = String(decoding: UnsafeBufferPointer(start: data, count: length), as: UTF8.self)
            switch try? JSONValue.parse(text) {
            case .object(let object)?: body = object
            case let value?: body["value"] = value
            case nil:
                context.node.countErrored()
                return PluginCallbacks.success
            }
        }
        context.node.emitTelemetry(type, data: body, timestampUs: NativePacketBridge.metadata(metadata)?.timestampUs)
        return PluginCallbacks.success
    }

    /// `CLogCallback`: `user_data` is the plugin's `PluginLogSink`.
    static let log: CLogCallback = { level, target, message, userData in
        guard let userData else { return }
        let sink = Unmanaged<PluginLogSink>.fromOpaque(userData).takeUnretainedValue()
        let targetText = target.flatMap { String(validatingCString: $0) } ?? "unknown"
        let messageText = message.map { String(validatingCString: $0) ?? "[invalid UTF-8]" } ?? ""
        sink.log(level: level, target: targetText, message: messageText)
    }
}
