import CStreamKitNativeABI
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds a real plugin from C source against the shared header with the system C
/// compiler, then checks the export with `nm -D` and drives it through dlopen/dlsym
/// with the full 7-argument `process_packet` and 5-argument `flush`.
@Suite struct ABICompileTests {
    /// Repository root, derived from this file's location (Tests/StreamKitNativeABITests/…).
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The header as the host sees it.
    static let hostIncludeDir = repoRoot.appendingPathComponent("Sources/CStreamKitNativeABI/include")
    /// The header as plugin authors see it (a symlink to the host header).
    static let sdkIncludeDir = repoRoot.appendingPathComponent("sdk/c")

    static let pluginSource = #"""
    #include <stdlib.h>
    #include <string.h>
    #include "streamkit_plugin.h"

    static const CAudioFormat k_in_format = { 48000, 1, SAMPLE_FORMAT_F32 };
    static const CPacketTypeInfo k_in_types[] = {
        { PACKET_TYPE_RAW_AUDIO, &k_in_format, NULL },
        { PACKET_TYPE_TEXT, NULL, NULL },
    };
    static const CInputPin k_inputs[] = { { "in", k_in_types, 2 } };
    static const COutputPin k_outputs[] = { { "out", { PACKET_TYPE_TEXT, NULL, NULL } } };
    static const char* const k_categories[] = { "test", "abi" };
    static const CNodeMetadata k_metadata = {
        "abi_probe", "Echoes text with a prefix", k_inputs, 1, k_outputs, 1,
        "{\"type\":\"object\"}", k_categories, 2
    };

    typedef struct Probe { unsigned long processed; } Probe;

    static const CNodeMetadata* probe_get_metadata(void) { return &k_metadata; }

    static CPluginHandle probe_create(const char* params_json, CLogCallback log_cb, void* log_user_data) {
        Probe* probe;
        if (params_json != NULL && strcmp(params_json, "\"fail\"") == 0) return NULL;
        probe = calloc(1, sizeof *probe);
        if (probe != NULL && log_cb != NULL) log_cb(LOG_LEVEL_INFO, "abi_probe", "created", log_user_data);
        return probe;
    }

    static CResult probe_process(CPluginHandle handle, const char* input_pin, const CPacket* packet,
                                 COutputCallback out_cb, void* out_user_data,
                                 CTelemetryCallback tel_cb, void* tel_user_data) {
        static const char telemetry_json[] = "{\"seen\":true}";
        Probe* probe = handle;
        const char* input;
        size_t length;
        char* text;
        CPacket out;
        CResult result;
        CPacketMetadata metadata;
        if (probe == NULL || input_pin == NULL || packet == NULL) return CResult_error("null argument");
        if (strcmp(input_pin, "in") != 0) return CResult_error("unknown input pin");
        if (packet->packet_type != PACKET_TYPE_TEXT) return CResult_error("only text is supported");
        input = packet->data;
        length = strlen(input);
        text = malloc(length + 6);
        if (text == NULL) return CResult_error("out of memory");
        memcpy(text, "echo:", 5);
        memcpy(text + 5, input, length + 1);
        out.packet_type = PACKET_TYPE_TEXT;
        out.data = text;
        out.len = length + 6;
        result = out_cb("out", &out, out_user_data);
        free(text); /* the host copied it before returning */
        if (!result.success) return result;
        probe->processed += 1;
        memset(&metadata, 0, sizeof metadata);
        metadata.timestamp_us = 42;
        metadata.has_timestamp_us = true;
        if (tel_cb != NULL) {
            tel_cb("probe.seen", (const uint8_t*)telemetry_json, sizeof telemetry_json - 1, &metadata, tel_user_data);
        }
        return CResult_success();
    }

    static CResult probe_update(CPluginHandle handle, const char* params_json) {
        (void)handle;
        if (params_json == NULL) return CResult_error("params required");
        return CResult_success();
    }

    static CResult probe_flush(CPluginHandle handle, COutputCallback out_cb, void* out_user_data,
                               CTelemetryCallback tel_cb, void* tel_user_data) {
        static const char telemetry_json[] = "{\"flushed\":true}";
        (void)out_cb;
        (void)out_user_data;
        if (handle == NULL) return CResult_error("null handle");
        if (tel_cb != NULL) {
            tel_cb("probe.flushed", (const uint8_t*)telemetry_json, sizeof telemetry_json - 1, NULL, tel_user_data);
        }
        return CResult_success();
    }

    static void probe_destroy(CPluginHandle handle) { free(handle); }

    static const CNativePluginAPI k_api = {
        STREAMKIT_NATIVE_PLUGIN_API_VERSION,
        probe_get_metadata,
        probe_create,
        probe_process,
        probe_update,
        probe_flush,
        probe_destroy
    };

    STREAMKIT_PLUGIN_ENTRY(&k_api)
    """#

    /// Runs a command via `/usr/bin/env` and returns (exit status, combined output).
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Writes the plugin source to a fresh temp dir and compiles it into a shared library.
    static func buildPlugin(standard: String, includeDir: URL) throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamkit-abi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let source = dir.appendingPathComponent("probe.c")
        try pluginSource.write(to: source, atomically: true, encoding: .utf8)
        let library = dir.appendingPathComponent("libabi_probe.so")
        let result = try run([
            "cc", "-std=\(standard)", "-Wall", "-Wextra", "-Werror", "-pedantic", "-fPIC", "-shared", "-O2",
            "-I", includeDir.path, "-o", library.path, source.path,
        ])
        #expect(result.status == 0, "cc failed:\n\(result.output)")
        return library
    }

    final class Collector {
        var outputs: [(pin: String, text: String)] = []
        var telemetry: [(event: String, json: String, timestamp: UInt64?)] = []
        var logs: [(level: UInt32, target: String, message: String)] = []
    }

    static var outputCallback: COutputCallback {
        { pin, packet, userData in
            guard let pin, let packet, let userData else { return CResult(success: false, error_message: nil) }
            let collector = Unmanaged<Collector>.fromOpaque(userData).takeUnretainedValue()
            guard packet.pointee.packet_type == PACKET_TYPE_TEXT, let data = packet.pointee.data else {
                return CResult(success: false, error_message: nil)
            }
            let text = String(cString: data.assumingMemoryBound(to: CChar.self))
            collector.outputs.append((String(cString: pin), text))
            return CResult(success: true, error_message: nil)
        }
    }

    static var telemetryCallback: CTelemetryCallback {
        { event, json, length, metadata, userData in
            guard let event, let userData else { return CResult(success: true, error_message: nil) }
            let collector = Unmanaged<Collector>.fromOpaque(userData).takeUnretainedValue()
            let body = json.map { String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self) } ?? "{}"
            let timestamp = metadata.flatMap { $0.pointee.has_timestamp_us ? $0.pointee.timestamp_us : nil }
            collector.telemetry.append((String(cString: event), body, timestamp))
            return CResult(success: true, error_message: nil)
        }
    }

    static var logCallback: CLogCallback {
        { level, target, message, userData in
            guard let userData else { return }
            let collector = Unmanaged<Collector>.fromOpaque(userData).takeUnretainedValue()
            collector.logs.append((
                level.rawValue, target.map { String(cString: $0) } ?? "unknown", message.map { String(cString: $0) } ?? ""
            ))
        }
    }

    @Test(arguments: ["c99", "c11"])
    func pluginExportsEntryFunction(standard: String) throws {
        let library = try Self.buildPlugin(standard: standard, includeDir: Self.sdkIncludeDir)
        defer { try? FileManager.default.removeItem(at: library.deletingLastPathComponent()) }
        let nm = try Self.run(["nm", "-D", "--defined-only", library.path])
        #expect(nm.status == 0, "nm failed:\n\(nm.output)")
        let exported = nm.output.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count == 3 && fields[1] == "T" && fields[2] == "streamkit_native_plugin_api"
        }
        #expect(exported, "streamkit_native_plugin_api is not an exported function:\n\(nm.output)")
    }

    @Test func hostAndSDKHeadersAreTheSameFile() throws {
        let sdkHeader = Self.sdkIncludeDir.appendingPathComponent("streamkit_plugin.h")
        let destination = try FileManager.default.destinationOfSymbolicLink(atPath: sdkHeader.path)
        #expect(destination == "../../Sources/CStreamKitNativeABI/include/streamkit_plugin.h")
        let hostHeader = Self.hostIncludeDir.appendingPathComponent("streamkit_plugin.h")
        #expect(try Data(contentsOf: sdkHeader) == Data(contentsOf: hostHeader))
    }

    @Test func pluginLoadsAndRunsThroughFullSignatures() throws {
        let library = try Self.buildPlugin(standard: "c11", includeDir: Self.hostIncludeDir)
        defer { try? FileManager.default.removeItem(at: library.deletingLastPathComponent()) }

        let handle = try #require(dlopen(library.path, RTLD_LAZY | RTLD_LOCAL), "dlopen: \(dlerror().map { String(cString: $0) } ?? "")")
        defer { dlclose(handle) }
        let symbol = try #require(dlsym(handle, STREAMKIT_NATIVE_PLUGIN_ENTRY_SYMBOL))
        let entry = unsafeBitCast(symbol, to: StreamKitNativePluginAPIFn.self)
        let api = try #require(entry()).pointee
        #expect(api.version == UInt32(STREAMKIT_NATIVE_PLUGIN_API_VERSION))
        #expect(api.version == 2)

        // Metadata.
        let metadata = try #require(api.get_metadata?()).pointee
        #expect(String(cString: metadata.kind) == "abi_probe")
        #expect(metadata.inputs_count == 1)
        let input = metadata.inputs[0]
        #expect(String(cString: input.name) == "in")
        #expect(input.accepts_types_count == 2)
        #expect(input.accepts_types[0].type_discriminant == PACKET_TYPE_RAW_AUDIO)
        #expect(input.accepts_types[0].audio_format.pointee.sample_rate == 48000)
        #expect(input.accepts_types[0].audio_format.pointee.channels == 1)
        #expect(input.accepts_types[0].audio_format.pointee.sample_format == SAMPLE_FORMAT_F32)
        #expect(metadata.outputs_count == 1)
        #expect(String(cString: metadata.outputs[0].name) == "out")
        #expect(metadata.outputs[0].produces_type.type_discriminant == PACKET_TYPE_TEXT)
        #expect(String(cString: metadata.param_schema) == #"{"type":"object"}"#)
        #expect(metadata.categories_count == 2)
        #expect(String(cString: metadata.categories[1]!) == "abi")

        let collector = Collector()
        let context = Unmanaged.passUnretained(collector).toOpaque()

        // A failing create returns NULL.
        #expect(api.create_instance?("\"fail\"", Self.logCallback, context) == nil)

        let instance = try #require(api.create_instance?(nil, Self.logCallback, context))
        #expect(collector.logs.count == 1)
        #expect(collector.logs.first?.level == LOG_LEVEL_INFO.rawValue)
        #expect(collector.logs.first?.target == "abi_probe")
        #expect(collector.logs.first?.message == "created")

        // process_packet with all 7 arguments; the same context for output and telemetry.
        let processResult = try #require(api.process_packet)
        let result = "hello".withCString { text in
            var packet = CPacket(packet_type: PACKET_TYPE_TEXT, data: UnsafeRawPointer(text), len: strlen(text) + 1)
            return processResult(instance, "in", &packet, Self.outputCallback, context, Self.telemetryCallback, context)
        }
        #expect(result.success)
        #expect(result.error_message == nil)
        #expect(collector.outputs.count == 1)
        #expect(collector.outputs.first?.pin == "out")
        #expect(collector.outputs.first?.text == "echo:hello")
        #expect(collector.telemetry.count == 1)
        #expect(collector.telemetry.first?.event == "probe.seen")
        #expect(collector.telemetry.first?.json == #"{"seen":true}"#)
        #expect(collector.telemetry.first?.timestamp == 42)

        // A plugin error carries a borrowed message.
        var binary = CPacket(packet_type: PACKET_TYPE_BINARY, data: UnsafeRawPointer(bitPattern: 1), len: 0)
        let failure = processResult(instance, "in", &binary, Self.outputCallback, context, Self.telemetryCallback, context)
        #expect(!failure.success)
        #expect(failure.error_message.map { String(cString: $0) } == "only text is supported")

        let update = try #require(api.update_params?(instance, "null"))
        #expect(update.success)

        // flush with all 5 arguments.
        let flushed = try #require(api.flush?(instance, Self.outputCallback, context, Self.telemetryCallback, context))
        #expect(flushed.success)
        #expect(collector.telemetry.last?.event == "probe.flushed")
        #expect(collector.telemetry.last?.timestamp == nil)

        api.destroy_instance?(instance)
        withExtendedLifetime(collector) {}
    }
}
