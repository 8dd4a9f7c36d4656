import Foundation
import Synchronization

/// Real plugin libraries for the tests: the two examples, built the way their READMEs say, and
/// small C plugins compiled here with the system C compiler against the SDK header.
enum PluginFixtures {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sdkInclude = repoRoot.appendingPathComponent("sdk/c").path

    /// A folder of its own for this test process's builds.
    static let buildRoot: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("skit-plugin-fixtures-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    private static let cache = Mutex<[String: String]>([:])

    struct BuildFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// `examples/plugins/gain-native-c` built with its Makefile.
    static func gainC() throws -> String {
        try cached("gain-c") {
            let out = buildRoot.appendingPathComponent("gain-c").path
            try run("/usr/bin/env", ["make", "-s", "-C", repoRoot.appendingPathComponent("examples/plugins/gain-native-c").path, "BUILD=\(out)"])
            return out + "/libgain_native_c.so"
        }
    }

    /// `examples/plugins/gain-native-swift` built with `swift build --product GainNativeSwift`
    /// (the test build already made it next to the test bundle; build it if not).
    static func gainSwift() throws -> String {
        try cached("gain-swift") {
            let productsDir = Bundle.main.bundleURL.deletingLastPathComponent()
            var candidates = [productsDir.appendingPathComponent("libGainNativeSwift.so").path]
            candidates.append(repoRoot.appendingPathComponent(".build/debug/libGainNativeSwift.so").path)
            if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
            let scratch = buildRoot.appendingPathComponent("swift-build").path
            try run("/usr/bin/env", ["swift", "build", "--package-path", repoRoot.path, "--scratch-path", scratch, "--product", "GainNativeSwift"])
            return scratch + "/debug/libGainNativeSwift.so"
        }
    }

    /// Compiles C `source` (with the SDK header) into a shared library named `name`.
    static func compile(_ name: String, source: String, defines: [String] = [], extraFlags: [String] = []) throws -> String {
        try cached("c-\(name)") {
            let dir = buildRoot.appendingPathComponent("c-\(name)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let sourcePath = dir.appendingPathComponent("plugin.c").path
            try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
            let output = dir.appendingPathComponent("lib\(name).so").path
            try run("/usr/bin/env", ["cc", "-std=c11", "-O2", "-fPIC", "-shared", "-Wall", "-I", sdkInclude]
                + defines.map { "-D\($0)" } + extraFlags + ["-o", output, sourcePath, "-lm"])
            return output
        }
    }

    private static func cached(_ key: String, _ build: () throws -> String) throws -> String {
        if let path = cache.withLock({ $0[key] }), FileManager.default.fileExists(atPath: path) { return path }
        let path = try build()
        cache.withLock { $0[key] = path }
        return path
    }

    static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = errors
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BuildFailure(description: "\(arguments.joined(separator: " ")) failed: \(String(decoding: output, as: UTF8.self))")
        }
    }

    // MARK: Fixture sources

    /// Multiplies audio by VERSION (a -D define); same kind in every version, for hot reload.
    static let versionedSource = #"""
    #include <stdlib.h>
    #include "streamkit_plugin.h"
    static const CAudioFormat k_any = {0, 0, SAMPLE_FORMAT_F32};
    static const CPacketTypeInfo k_types[] = {{PACKET_TYPE_RAW_AUDIO, &k_any, NULL}};
    static const CInputPin k_in[] = {{"in", k_types, 1}};
    static const COutputPin k_out[] = {{"out", {PACKET_TYPE_RAW_AUDIO, &k_any, NULL}}};
    static const char* const k_categories[] = {"test"};
    static const CNodeMetadata k_meta = {"versioned", "Multiplies by its version", k_in, 1, k_out, 1, "{}", k_categories, 1};
    static const CNodeMetadata* meta(void) { return &k_meta; }
    static CPluginHandle create(const char* p, CLogCallback l, void* u) { (void)p; (void)l; (void)u; return malloc(1); }
    static CResult process(CPluginHandle h, const char* pin, const CPacket* packet, COutputCallback out, void* ud, CTelemetryCallback t, void* tu) {
        (void)h; (void)pin; (void)t; (void)tu;
        const CAudioFrame* in = packet->data;
        float* s = malloc((in->sample_count + 1) * sizeof(float));
        for (size_t i = 0; i < in->sample_count; i++) s[i] = in->samples[i] * (float)VERSION;
        CAudioFrame f = {in->sample_rate, in->channels, s, in->sample_count};
        CPacket o = {PACKET_TYPE_RAW_AUDIO, &f, sizeof f};
        CResult r = out("out", &o, ud);
        free(s);
        return r;
    }
    static CResult update(CPluginHandle h, const char* p) { (void)h; (void)p; return CResult_success(); }
    static CResult flush(CPluginHandle h, COutputCallback o, void* u, CTelemetryCallback t, void* tu) { (void)h; (void)o; (void)u; (void)t; (void)tu; return CResult_success(); }
    static void destroy(CPluginHandle h) { free(h); }
    static const CNativePluginAPI k_api = {STREAMKIT_NATIVE_PLUGIN_API_VERSION, meta, create, process, update, flush, destroy};
    STREAMKIT_PLUGIN_ENTRY(&k_api)
    """#

    /// Passes audio through, then dereferences NULL on its 20th packet.
    static let crashAfterSource = #"""
    #include <stdlib.h>
    #include "streamkit_plugin.h"
    static const CAudioFormat k_any = {0, 0, SAMPLE_FORMAT_F32};
    static const CPacketTypeInfo k_types[] = {{PACKET_TYPE_RAW_AUDIO, &k_any, NULL}};
    static const CInputPin k_in[] = {{"in", k_types, 1}};
    static const COutputPin k_out[] = {{"out", {PACKET_TYPE_RAW_AUDIO, &k_any, NULL}}};
    static const CNodeMetadata k_meta = {"crashy", NULL, k_in, 1, k_out, 1, "{}", NULL, 0};
    static const CNodeMetadata* meta(void) { return &k_meta; }
    static CPluginHandle create(const char* p, CLogCallback l, void* u) { (void)p; (void)l; (void)u; return calloc(1, sizeof(int)); }
    static CResult process(CPluginHandle h, const char* pin, const CPacket* packet, COutputCallback out, void* ud, CTelemetryCallback t, void* tu) {
        (void)pin; (void)t; (void)tu;
        int* count = h;
        if (++*count == 20) { volatile float* nowhere = NULL; *nowhere = 1.0f; }
        return out("out", packet, ud);
    }
    static CResult update(CPluginHandle h, const char* p) { (void)h; (void)p; return CResult_success(); }
    static CResult flush(CPluginHandle h, COutputCallback o, void* u, CTelemetryCallback t, void* tu) { (void)h; (void)o; (void)u; (void)t; (void)tu; return CResult_success(); }
    static void destroy(CPluginHandle h) { free(h); }
    static const CNativePluginAPI k_api = {STREAMKIT_NATIVE_PLUGIN_API_VERSION, meta, create, process, update, flush, destroy};
    STREAMKIT_PLUGIN_ENTRY(&k_api)
    """#

    /// A library with a configurable defect, selected by a -D define.
    static let brokenSource = #"""
    #include <stdlib.h>
    #include "streamkit_plugin.h"
    static const CAudioFormat k_any = {0, 0, SAMPLE_FORMAT_F32};
    static const CPacketTypeInfo k_types[] = {{PACKET_TYPE_RAW_AUDIO, &k_any, NULL}};
    static const CPacketTypeInfo k_no_format[] = {{PACKET_TYPE_RAW_AUDIO, NULL, NULL}};
    static const CInputPin k_in[] = {{"in", k_types, 1}};
    static const CInputPin k_in_no_format[] = {{"in", k_no_format, 1}};
    static const COutputPin k_out[] = {{"out", {PACKET_TYPE_RAW_AUDIO, &k_any, NULL}}};
    #ifndef KIND
    #define KIND "broken"
    #endif
    #ifdef NO_FORMAT
    static const CNodeMetadata k_meta = {KIND, NULL, k_in_no_format, 1, k_out, 1, "{}", NULL, 0};
    #elif defined(BAD_SCHEMA)
    static const CNodeMetadata k_meta = {KIND, NULL, k_in, 1, k_out, 1, "{not json", NULL, 0};
    #else
    static const CNodeMetadata k_meta = {KIND, NULL, k_in, 1, k_out, 1, "{}", NULL, 0};
    #endif
    #ifdef NULL_KIND
    static const CNodeMetadata k_meta_null_kind = {NULL, NULL, k_in, 1, k_out, 1, "{}", NULL, 0};
    #endif
    #ifdef MISSING_SYMBOL
    extern void streamkit_test_symbol_that_does_not_exist(void);
    #endif
    static const CNodeMetadata* meta(void) {
    #ifdef NULL_METADATA
        return NULL;
    #elif defined(NULL_KIND)
        return &k_meta_null_kind;
    #else
    #ifdef MISSING_SYMBOL
        streamkit_test_symbol_that_does_not_exist();
    #endif
        return &k_meta;
    #endif
    }
    static CPluginHandle create(const char* p, CLogCallback l, void* u) { (void)p; (void)l; (void)u; return malloc(1); }
    static CResult process(CPluginHandle h, const char* pin, const CPacket* packet, COutputCallback out, void* ud, CTelemetryCallback t, void* tu) {
        (void)h; (void)pin; (void)packet; (void)out; (void)ud; (void)t; (void)tu; return CResult_success();
    }
    static CResult update(CPluginHandle h, const char* p) { (void)h; (void)p; return CResult_success(); }
    static CResult flush(CPluginHandle h, COutputCallback o, void* u, CTelemetryCallback t, void* tu) { (void)h; (void)o; (void)u; (void)t; (void)tu; return CResult_success(); }
    static void destroy(CPluginHandle h) { free(h); }
    #ifndef VERSION
    #define VERSION STREAMKIT_NATIVE_PLUGIN_API_VERSION
    #endif
    static const CNativePluginAPI k_api = {VERSION, meta, create, process, update, flush, destroy};
    #ifndef NO_ENTRY
    STREAMKIT_PLUGIN_ENTRY(&k_api)
    #else
    const CNativePluginAPI* some_other_function(void) { return &k_api; }
    #endif
    """#
}
