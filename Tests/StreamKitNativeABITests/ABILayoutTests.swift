import CStreamKitNativeABI
import Testing

/// The layout of every ABI struct must match the sizes and offsets measured from the
/// original StreamKit v2 header with gcc on x86_64 Linux (LP64; aarch64 is identical).
@Suite struct ABILayoutTests {
    @Test func versionConstantIsTwo() {
        #expect(STREAMKIT_NATIVE_PLUGIN_API_VERSION == 2)
        #expect(STREAMKIT_NATIVE_PLUGIN_ENTRY_SYMBOL == "streamkit_native_plugin_api")
    }

    @Test func scalarConventions() {
        #expect(MemoryLayout<CLogLevel>.size == 4)
        #expect(MemoryLayout<CSampleFormat>.size == 4)
        #expect(MemoryLayout<CPacketType>.size == 4)
        #expect(MemoryLayout<CCustomEncoding>.size == 4)
        #expect(MemoryLayout<Bool>.size == 1)
        #expect(MemoryLayout<Int>.size == 8)
        #expect(MemoryLayout<CPluginHandle>.size == 8)
        #expect(MemoryLayout<CLogCallback>.size == 8)
        #expect(MemoryLayout<COutputCallback>.size == 8)
        #expect(MemoryLayout<CTelemetryCallback>.size == 8)
        #expect(MemoryLayout<StreamKitNativePluginAPIFn>.size == 8)
    }

    @Test func logLevelValues() {
        #expect(LOG_LEVEL_TRACE.rawValue == 0)
        #expect(LOG_LEVEL_DEBUG.rawValue == 1)
        #expect(LOG_LEVEL_INFO.rawValue == 2)
        #expect(LOG_LEVEL_WARN.rawValue == 3)
        #expect(LOG_LEVEL_ERROR.rawValue == 4)
    }

    @Test func sampleFormatValues() {
        #expect(SAMPLE_FORMAT_F32.rawValue == 0)
        #expect(SAMPLE_FORMAT_S16LE.rawValue == 1)
    }

    @Test func packetTypeValues() {
        #expect(PACKET_TYPE_RAW_AUDIO.rawValue == 0)
        #expect(PACKET_TYPE_OPUS_AUDIO.rawValue == 1)
        #expect(PACKET_TYPE_TEXT.rawValue == 2)
        #expect(PACKET_TYPE_TRANSCRIPTION.rawValue == 3)
        #expect(PACKET_TYPE_CUSTOM.rawValue == 4)
        #expect(PACKET_TYPE_BINARY.rawValue == 5)
        #expect(PACKET_TYPE_ANY.rawValue == 6)
        #expect(PACKET_TYPE_PASSTHROUGH.rawValue == 7)
    }

    @Test func customEncodingValues() {
        #expect(CUSTOM_ENCODING_JSON.rawValue == 0)
    }

    @Test func cResult() {
        #expect(MemoryLayout<CResult>.size == 16)
        #expect(MemoryLayout<CResult>.alignment == 8)
        #expect(MemoryLayout<CResult>.offset(of: \.success) == 0)
        #expect(MemoryLayout<CResult>.offset(of: \.error_message) == 8)
    }

    @Test func cAudioFormat() {
        #expect(MemoryLayout<CAudioFormat>.size == 12)
        #expect(MemoryLayout<CAudioFormat>.alignment == 4)
        #expect(MemoryLayout<CAudioFormat>.offset(of: \.sample_rate) == 0)
        #expect(MemoryLayout<CAudioFormat>.offset(of: \.channels) == 4)
        #expect(MemoryLayout<CAudioFormat>.offset(of: \.sample_format) == 8)
    }

    @Test func cAudioFrame() {
        #expect(MemoryLayout<CAudioFrame>.size == 24)
        #expect(MemoryLayout<CAudioFrame>.alignment == 8)
        #expect(MemoryLayout<CAudioFrame>.offset(of: \.sample_rate) == 0)
        #expect(MemoryLayout<CAudioFrame>.offset(of: \.channels) == 4)
        #expect(MemoryLayout<CAudioFrame>.offset(of: \.samples) == 8)
        #expect(MemoryLayout<CAudioFrame>.offset(of: \.sample_count) == 16)
    }

    @Test func cPacketMetadata() {
        #expect(MemoryLayout<CPacketMetadata>.size == 48)
        #expect(MemoryLayout<CPacketMetadata>.alignment == 8)
        #expect(MemoryLayout<CPacketMetadata>.offset(of: \.timestamp_us) == 0)
        #expect(MemoryLayout<CPacketMetadata>.offset(of: \.has_timestamp_us) == 8)
        #expect(MemoryLayout<CPacketMetadata>.offset(of: \.duration_us) == 16)
        #expect(MemoryLayout<CPacketMetadata>.offset(of: \.has_duration_us) == 24)
        #expect(MemoryLayout<CPacketMetadata>.offset(of: \.sequence) == 32)
        #expect(MemoryLayout<CPacketMetadata>.offset(of: \.has_sequence) == 40)
    }

    @Test func cCustomPacket() {
        #expect(MemoryLayout<CCustomPacket>.size == 40)
        #expect(MemoryLayout<CCustomPacket>.alignment == 8)
        #expect(MemoryLayout<CCustomPacket>.offset(of: \.type_id) == 0)
        #expect(MemoryLayout<CCustomPacket>.offset(of: \.encoding) == 8)
        #expect(MemoryLayout<CCustomPacket>.offset(of: \.data_json) == 16)
        #expect(MemoryLayout<CCustomPacket>.offset(of: \.data_len) == 24)
        #expect(MemoryLayout<CCustomPacket>.offset(of: \.metadata) == 32)
    }

    @Test func cPacketTypeInfo() {
        #expect(MemoryLayout<CPacketTypeInfo>.size == 24)
        #expect(MemoryLayout<CPacketTypeInfo>.alignment == 8)
        #expect(MemoryLayout<CPacketTypeInfo>.offset(of: \.type_discriminant) == 0)
        #expect(MemoryLayout<CPacketTypeInfo>.offset(of: \.audio_format) == 8)
        #expect(MemoryLayout<CPacketTypeInfo>.offset(of: \.custom_type_id) == 16)
    }

    @Test func cPacket() {
        #expect(MemoryLayout<CPacket>.size == 24)
        #expect(MemoryLayout<CPacket>.alignment == 8)
        #expect(MemoryLayout<CPacket>.offset(of: \.packet_type) == 0)
        #expect(MemoryLayout<CPacket>.offset(of: \.data) == 8)
        #expect(MemoryLayout<CPacket>.offset(of: \.len) == 16)
    }

    @Test func cInputPin() {
        #expect(MemoryLayout<CInputPin>.size == 24)
        #expect(MemoryLayout<CInputPin>.alignment == 8)
        #expect(MemoryLayout<CInputPin>.offset(of: \.name) == 0)
        #expect(MemoryLayout<CInputPin>.offset(of: \.accepts_types) == 8)
        #expect(MemoryLayout<CInputPin>.offset(of: \.accepts_types_count) == 16)
    }

    @Test func cOutputPin() {
        #expect(MemoryLayout<COutputPin>.size == 32)
        #expect(MemoryLayout<COutputPin>.alignment == 8)
        #expect(MemoryLayout<COutputPin>.offset(of: \.name) == 0)
        #expect(MemoryLayout<COutputPin>.offset(of: \.produces_type) == 8)
        // produces_type is embedded by value, not through a pointer.
        #expect(MemoryLayout<COutputPin>.offset(of: \.produces_type.type_discriminant) == 8)
        #expect(MemoryLayout<COutputPin>.offset(of: \.produces_type.audio_format) == 16)
        #expect(MemoryLayout<COutputPin>.offset(of: \.produces_type.custom_type_id) == 24)
    }

    @Test func cNodeMetadata() {
        #expect(MemoryLayout<CNodeMetadata>.size == 72)
        #expect(MemoryLayout<CNodeMetadata>.alignment == 8)
        #expect(MemoryLayout<CNodeMetadata>.offset(of: \.kind) == 0)
        #expect(MemoryLayout<CNodeMetadata>.offset(of: \.description) == 8)
        #expect(MemoryLayout<CNodeMetadata>.offset(of: \.inputs) == 16)
        #expect(MemoryLayout<CNodeMetadata>.offset(of: \.inputs_count) == 24)
        #expect(MemoryLayout<CNodeMetadata>.offset(of: \.outputs) == 32)
        #expect(MemoryLayout<CNodeMetadata>.offset(of: \.outputs_count) == 40)
        #expect(MemoryLayout<CNodeMetadata>.offset(of: \.param_schema) == 48)
        #expect(MemoryLayout<CNodeMetadata>.offset(of: \.categories) == 56)
        #expect(MemoryLayout<CNodeMetadata>.offset(of: \.categories_count) == 64)
    }

    @Test func cNativePluginAPI() {
        #expect(MemoryLayout<CNativePluginAPI>.size == 56)
        #expect(MemoryLayout<CNativePluginAPI>.alignment == 8)
        #expect(MemoryLayout<CNativePluginAPI>.offset(of: \.version) == 0)
        #expect(MemoryLayout<CNativePluginAPI>.offset(of: \.get_metadata) == 8)
        #expect(MemoryLayout<CNativePluginAPI>.offset(of: \.create_instance) == 16)
        #expect(MemoryLayout<CNativePluginAPI>.offset(of: \.process_packet) == 24)
        #expect(MemoryLayout<CNativePluginAPI>.offset(of: \.update_params) == 32)
        #expect(MemoryLayout<CNativePluginAPI>.offset(of: \.flush) == 40)
        #expect(MemoryLayout<CNativePluginAPI>.offset(of: \.destroy_instance) == 48)
    }

    /// The full signatures (7-argument process_packet, 5-argument flush, telemetry callback)
    /// are what the host will call; pin them down at the type level.
    @Test func functionTableSignatures() {
        typealias Process = @convention(c) (
            UnsafeMutableRawPointer?, UnsafePointer<CChar>?, UnsafePointer<CPacket>?,
            COutputCallback?, UnsafeMutableRawPointer?, CTelemetryCallback?, UnsafeMutableRawPointer?
        ) -> CResult
        typealias Flush = @convention(c) (
            UnsafeMutableRawPointer?, COutputCallback?, UnsafeMutableRawPointer?,
            CTelemetryCallback?, UnsafeMutableRawPointer?
        ) -> CResult
        typealias Telemetry = @convention(c) (
            UnsafePointer<CChar>?, UnsafePointer<UInt8>?, Int, UnsafePointer<CPacketMetadata>?,
            UnsafeMutableRawPointer?
        ) -> CResult
        // These assignments only compile if the imported types have exactly these signatures.
        let api = CNativePluginAPI()
        let process: Process? = api.process_packet
        let flush: Flush? = api.flush
        let telemetry: Telemetry.Type = CTelemetryCallback.self
        #expect(process == nil)
        #expect(flush == nil)
        #expect(telemetry == Telemetry.self)
    }
}
