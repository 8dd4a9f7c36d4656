#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CStreamKitNativeABI

/// Returns the ABI v2 function table for `type`. Call it from the library's exported entry point:
///
/// ```swift
/// @_cdecl("streamkit_native_plugin_api") public func streamkitPluginAPI() -> UnsafeRawPointer { exportPlugin(GainPlugin.self) }
/// ```
///
/// A library exports one plugin type. The table and the metadata are built on the first call and
/// stay valid for the life of the library, as the ABI requires.
public func exportPlugin(_ type: any NativePlugin.Type) -> UnsafeRawPointer {
    PluginExport.lock.lock()
    defer { PluginExport.lock.unlock() }
    if let table = PluginExport.table { return UnsafeRawPointer(table) }
    PluginExport.type = type
    PluginExport.metadata = PluginExport.makeCMetadata(type.metadata)
    let table = UnsafeMutablePointer<CNativePluginAPI>.allocate(capacity: 1)
    table.initialize(to: CNativePluginAPI(
        version: UInt32(STREAMKIT_NATIVE_PLUGIN_API_VERSION),
        get_metadata: PluginExport.getMetadata,
        create_instance: PluginExport.createInstance,
        process_packet: PluginExport.processPacket,
        update_params: PluginExport.updateParams,
        flush: PluginExport.flush,
        destroy_instance: PluginExport.destroyInstance
    ))
    PluginExport.table = UnsafePointer(table)
    return UnsafeRawPointer(table)
}

/// The one plugin type of this library and its C-facing state.
enum PluginExport {
    // nonisolated(unsafe): written once under `lock` in `exportPlugin`, which the host calls
    // before anything else; only read afterwards.
    nonisolated(unsafe) static var type: (any NativePlugin.Type)?
    nonisolated(unsafe) static var metadata: UnsafePointer<CNodeMetadata>?
    nonisolated(unsafe) static var table: UnsafePointer<CNativePluginAPI>?
    static let lock = PluginLock()

    /// An instance as the host holds it, with the buffer its last error message lives in.
    final class Instance {
        let plugin: any NativePlugin
        let kind: String
        private var lastError: UnsafeMutablePointer<CChar>?

        init(plugin: any NativePlugin, kind: String) {
            self.plugin = plugin
            self.kind = kind
        }

        /// A failed result whose message stays valid until the next failure or destroy (the host
        /// copies it at once; calls on one instance never overlap).
        func fail(_ error: any Error) -> CResult {
            free(lastError)
            lastError = strdup("\(error)")
            return CResult(success: false, error_message: UnsafePointer(lastError))
        }

        deinit { free(lastError) }
    }

    static func instance(_ handle: UnsafeMutableRawPointer?) -> Instance? {
        handle.map { Unmanaged<Instance>.fromOpaque($0).takeUnretainedValue() }
    }

    static var success: CResult { CResult(success: true, error_message: nil) }

    static let getMetadata: @convention(c) () -> UnsafePointer<CNodeMetadata>? = { PluginExport.metadata }

    static let createInstance: @convention(c) (UnsafePointer<CChar>?, CLogCallback?, UnsafeMutableRawPointer?) -> CPluginHandle? = { params, log, logUserData in
        guard let type = PluginExport.type else { return nil }
        let kind = type.metadata.kind
        let logger = PluginLogger(callback: log, userData: logUserData, target: kind)
        do {
            let parsed = try PluginParams(text: params.map { String(cString: $0) })
            let plugin = try type.init(params: parsed, logger: logger)
            return Unmanaged.passRetained(Instance(plugin: plugin, kind: kind)).toOpaque()
        } catch {
            // create_instance can only return NULL; the log is where the reason goes.
            logger.error("\(kind): cannot create an instance: \(error)")
            return nil
        }
    }

    static let processPacket: @convention(c) (
        CPluginHandle?, UnsafePointer<CChar>?, UnsafePointer<CPacket>?, COutputCallback?, UnsafeMutableRawPointer?,
        CTelemetryCallback?, UnsafeMutableRawPointer?
    ) -> CResult = { handle, pin, packet, output, outputUserData, telemetry, telemetryUserData in
        guard let instance = PluginExport.instance(handle), let pin, let packet else {
            return CResult(success: false, error_message: nil)
        }
        do {
            let converted = try CPacketEncoding.packet(from: packet)
            let sink = PluginOutput(callback: output, telemetryCallback: telemetry, userData: outputUserData)
            _ = telemetryUserData  // the host passes the same context for both callbacks
            try instance.plugin.process(pin: String(cString: pin), packet: converted, output: sink)
            return PluginExport.success
        } catch {
            return instance.fail(error)
        }
    }

    static let updateParams: @convention(c) (CPluginHandle?, UnsafePointer<CChar>?) -> CResult = { handle, params in
        guard let instance = PluginExport.instance(handle) else { return CResult(success: false, error_message: nil) }
        do {
            try instance.plugin.updateParams(try PluginParams(text: params.map { String(cString: $0) }))
            return PluginExport.success
        } catch {
            return instance.fail(error)
        }
    }

    static let flush: @convention(c) (CPluginHandle?, COutputCallback?, UnsafeMutableRawPointer?, CTelemetryCallback?, UnsafeMutableRawPointer?) -> CResult = {
        handle, output, outputUserData, telemetry, _ in
        guard let instance = PluginExport.instance(handle) else { return CResult(success: false, error_message: nil) }
        do {
            try instance.plugin.flush(output: PluginOutput(callback: output, telemetryCallback: telemetry, userData: outputUserData))
            return PluginExport.success
        } catch {
            return instance.fail(error)
        }
    }

    static let destroyInstance: @convention(c) (CPluginHandle?) -> Void = { handle in
        guard let handle else { return }
        let instance = Unmanaged<Instance>.fromOpaque(handle)
        instance.takeUnretainedValue().plugin.cleanup()
        instance.release()
    }

    // MARK: Metadata in C form (allocated once, never freed: the ABI wants it for the library's life)

    static func makeCMetadata(_ metadata: PluginMetadata) -> UnsafePointer<CNodeMetadata> {
        let inputs = UnsafeMutablePointer<CInputPin>.allocate(capacity: max(1, metadata.inputs.count))
        for (index, pin) in metadata.inputs.enumerated() {
            let types = UnsafeMutablePointer<CPacketTypeInfo>.allocate(capacity: max(1, pin.accepts.count))
            for (typeIndex, type) in pin.accepts.enumerated() { types[typeIndex] = typeInfo(type) }
            inputs[index] = CInputPin(name: cString(pin.name), accepts_types: UnsafePointer(types), accepts_types_count: pin.accepts.count)
        }
        let outputs = UnsafeMutablePointer<COutputPin>.allocate(capacity: max(1, metadata.outputs.count))
        for (index, pin) in metadata.outputs.enumerated() {
            outputs[index] = COutputPin(name: cString(pin.name), produces_type: typeInfo(pin.produces))
        }
        let categories = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: max(1, metadata.categories.count))
        for (index, category) in metadata.categories.enumerated() { categories[index] = cString(category) }
        let result = UnsafeMutablePointer<CNodeMetadata>.allocate(capacity: 1)
        result.initialize(to: CNodeMetadata(
            kind: cString(metadata.kind), description: metadata.description.map(cString),
            inputs: UnsafePointer(inputs), inputs_count: metadata.inputs.count,
            outputs: UnsafePointer(outputs), outputs_count: metadata.outputs.count,
            param_schema: cString(metadata.paramSchema),
            categories: UnsafePointer(categories), categories_count: metadata.categories.count
        ))
        return UnsafePointer(result)
    }

    private static func cString(_ text: String) -> UnsafePointer<CChar> {
        UnsafePointer(strdup(text) ?? strdup("")!)
    }

    private static func typeInfo(_ type: PluginPacketType) -> CPacketTypeInfo {
        switch type {
        case .rawAudio(let rate, let channels, let format):
            let audio = UnsafeMutablePointer<CAudioFormat>.allocate(capacity: 1)
            audio.initialize(to: CAudioFormat(sample_rate: rate, channels: channels, sample_format: CSampleFormat(rawValue: UInt32(format.rawValue))))
            return CPacketTypeInfo(type_discriminant: PACKET_TYPE_RAW_AUDIO, audio_format: UnsafePointer(audio), custom_type_id: nil)
        case .text: return CPacketTypeInfo(type_discriminant: PACKET_TYPE_TEXT, audio_format: nil, custom_type_id: nil)
        case .transcription: return CPacketTypeInfo(type_discriminant: PACKET_TYPE_TRANSCRIPTION, audio_format: nil, custom_type_id: nil)
        case .custom(let typeID): return CPacketTypeInfo(type_discriminant: PACKET_TYPE_CUSTOM, audio_format: nil, custom_type_id: cString(typeID))
        case .binary: return CPacketTypeInfo(type_discriminant: PACKET_TYPE_BINARY, audio_format: nil, custom_type_id: nil)
        case .any: return CPacketTypeInfo(type_discriminant: PACKET_TYPE_ANY, audio_format: nil, custom_type_id: nil)
        }
    }
}

/// A plain pthread mutex (the SDK links nothing beyond the Swift runtime and libc).
final class PluginLock: @unchecked Sendable {
    // @unchecked: the mutex is only used through lock()/unlock().
    private let mutex: UnsafeMutablePointer<pthread_mutex_t> = {
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        return mutex
    }()

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
}
