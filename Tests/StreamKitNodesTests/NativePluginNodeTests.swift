import Foundation
import StreamKitCore
import StreamKitNativePlugins
import Testing
import Logging

/// The native plugin node wrapper driven directly (real inbox, real outputs) with a real C plugin
/// compiled here: pins, threads, flush, update refusals, crash containment, destroy-once.
@Suite("Native plugin node", .serialized, .timeLimit(.minutes(2)))
struct NativePluginNodeTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The probe plugin, compiled once per test process.
    static let probe: Result<NativePluginLibrary, any Error> = Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("skit-probe-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let source = dir.appendingPathComponent("probe.c")
        try probeSource.write(to: source, atomically: true, encoding: .utf8)
        let library = dir.appendingPathComponent("libprobe.so").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["cc", "-std=c11", "-O1", "-fPIC", "-shared", "-Wall", "-I", repoRoot.appendingPathComponent("sdk/c").path, "-o", library, source.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw StreamKitError.runtime("cc failed for the probe plugin") }
        var logger = Logger(label: "probe-test")
        logger.logLevel = .critical
        return try NativePluginLibrary.load(path: library, logger: logger)
    }

    static func node(_ params: JSONValue = [:]) throws -> NativePluginNodeHandle {
        let library = try probe.get()
        let definition = library.nodeDefinition()
        let node = try definition.factory(params)
        return NativePluginNodeHandle(node: node, kind: definition.kind)
    }

    struct NativePluginNodeHandle {
        let node: any Node
        let kind: String
    }

    @Test("metadata is deep-copied and registered as plugin::native::probe with both input pins")
    func metadata() throws {
        let library = try Self.probe.get()
        #expect(library.metadata.kind == "plugin::native::probe")
        #expect(library.metadata.originalKind == "probe")
        #expect(library.metadata.inputs.map(\.name) == ["in", "side"])
        #expect(library.metadata.outputs.map(\.name) == ["out"])
        #expect(library.metadata.inputs.allSatisfy { $0.acceptsTypes == [.text] })
        #expect(library.metadata.paramSchema["properties"]?["mode"]?["type"] == "string")
        #expect(library.metadata.categories == ["test"])
        #expect(library.loadDuration < .seconds(1))
    }

    @Test("every input pin is read and its real name reaches the plugin, on the node's own thread; flush at the end")
    func pinsThreadAndFlush() async throws {
        let handle = try Self.node()
        let harness = NodeHarness(handle.node, kind: handle.kind)
        await harness.feed(.text("hello"), pin: "in")
        await harness.feed(.text("there"), pin: "side")
        let first = try #require(await harness.nextOutput()?.textValue)
        let second = try #require(await harness.nextOutput()?.textValue)
        let lines = [first, second].sorted()
        #expect(lines == ["in:hello:skit-plugin", "side:there:skit-plugin"], "\(lines)")
        harness.end("in")
        harness.end("side")
        #expect(await harness.nextOutput()?.textValue == "flushed:2")
        #expect(try await harness.result().get() == ())
        let telemetry = harness.telemetryEvents.filter { $0.eventType == "probe.seen" }
        #expect(telemetry.count == 2)
        #expect(telemetry.last?.data["count"] == 2)
        #expect(telemetry.last?.data["event_type"] == "probe.seen")
    }

    @Test("a refused update is answered with the plugin's message and the node keeps running")
    func refusedUpdate() async throws {
        let handle = try Self.node()
        let harness = NodeHarness(handle.node, kind: handle.kind, mode: .dynamic)
        await harness.feed(.text("one"))
        #expect(await harness.nextOutput()?.textValue == "in:one:skit-plugin")
        let refused = await harness.tune(["mode": "refuse"])
        guard case .failure(let error) = refused else {
            Issue.record("the update was accepted")
            return
        }
        #expect("\(error)".contains("plugin::native::probe: update_params failed: probe refuses these params"), "\(error)")
        let accepted = await harness.tune(["mode": "fine"])
        guard case .success = accepted else {
            Issue.record("a fine update was refused: \(accepted)")
            return
        }
        await harness.feed(.text("two"))
        #expect(await harness.nextOutput()?.textValue == "in:two:skit-plugin")
    }

    @Test("process errors, bad emitted packets and a NULL instance fail the node with a message naming the plugin")
    func failures() async throws {
        let failing = try Self.node()
        let harness = NodeHarness(failing.node, kind: failing.kind)
        await harness.feed(.text("fail"))
        let failure = await harness.result()
        #expect("\(failure)".contains("plugin::native::probe: process_packet failed: probe refused 'fail'"), "\(failure)")

        let bad = try Self.node()
        let badHarness = NodeHarness(bad.node, kind: bad.kind)
        await badHarness.feed(.text("badpacket"))
        let badResult = await badHarness.result()
        #expect("\(badResult)".contains("binary packet with NULL data"), "\(badResult)")

        let null = try Self.node(["mode": "null"])
        let nullHarness = NodeHarness(null.node, kind: null.kind)
        let nullResult = await nullHarness.result()
        #expect("\(nullResult)".contains("create_instance returned NULL"), "\(nullResult)")
    }

    @Test("a segfault and an abort inside the plugin fail only that node; the process goes on; destroy runs exactly once otherwise")
    func crashContainment() async throws {
        for trigger in ["crash", "abort", "crash"] {
            let handle = try Self.node()
            let harness = NodeHarness(handle.node, kind: handle.kind)
            await harness.feed(.text("before"))
            #expect(await harness.nextOutput()?.textValue == "in:before:skit-plugin")
            await harness.feed(.text(trigger))
            let result = await harness.result()
            let expected = trigger == "abort" ? "SIGABRT" : "SIGSEGV"
            #expect("\(result)".contains("crashed with \(expected)"), "\(result)")
            #expect("\(result)".contains("process_packet"))
        }
        // A healthy instance afterwards, destroyed exactly once.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("probe-destroy-\(UUID().uuidString).log")
        let handle = try Self.node(["destroy_log": .string(log.path)])
        let harness = NodeHarness(handle.node, kind: handle.kind)
        await harness.feed(.text("after"))
        #expect(await harness.nextOutput()?.textValue == "in:after:skit-plugin")
        harness.end("in")
        harness.end("side")
        _ = await harness.drain()
        #expect(try await harness.result().get() == ())
        #expect(try String(contentsOf: log, encoding: .utf8) == "destroyed\n")
    }
}

    /// A text plugin with two inputs that misbehaves on request:
    /// text "crash" → SIGSEGV, "abort" → abort(), "fail" → an error, "badpacket" → a NULL-data packet;
    /// anything else → "<pin>:<text>:<thread name>" on `out`. Params: `{"mode": "null"}` makes
    /// create fail; `{"destroy_log": PATH}` appends a line there on destroy. An update containing
    /// "refuse" is refused. Flush emits "flushed:<count>".
let probeSource = #"""
    #define _GNU_SOURCE
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    #include <signal.h>
    #include <sys/prctl.h>
    #include "streamkit_plugin.h"
    static const CPacketTypeInfo k_text[] = {{PACKET_TYPE_TEXT, NULL, NULL}};
    static const CInputPin k_in[] = {{"in", k_text, 1}, {"side", k_text, 1}};
    static const COutputPin k_out[] = {{"out", {PACKET_TYPE_TEXT, NULL, NULL}}};
    static const char* const k_categories[] = {"test"};
    static const CNodeMetadata k_meta = {"probe", "Misbehaves on request", k_in, 2, k_out, 1,
        "{\"type\":\"object\",\"properties\":{\"mode\":{\"type\":\"string\"},\"destroy_log\":{\"type\":\"string\"}}}", k_categories, 1};
    typedef struct Probe { unsigned long count; char log[512]; CLogCallback logcb; void* logud; } Probe;
    static const CNodeMetadata* meta(void) { return &k_meta; }
    static CPluginHandle create(const char* params, CLogCallback l, void* u) {
        if (params && strstr(params, "\"null\"")) return NULL;
        Probe* p = calloc(1, sizeof *p);
        p->logcb = l; p->logud = u;
        const char* key = params ? strstr(params, "\"destroy_log\":\"") : NULL;
        if (key) { key += 15; size_t n = 0; while (key[n] && key[n] != '"' && n < 511) { p->log[n] = key[n]; n++; } p->log[n] = 0; }
        if (l) l(LOG_LEVEL_INFO, "probe", "probe created", u);
        return p;
    }
    static CResult emit(const char* text, COutputCallback out, void* ud) {
        CPacket o = {PACKET_TYPE_TEXT, text, strlen(text) + 1};
        return out("out", &o, ud);
    }
    static CResult process(CPluginHandle h, const char* pin, const CPacket* packet, COutputCallback out, void* ud, CTelemetryCallback t, void* tu) {
        Probe* p = h;
        const char* text = packet->data;
        p->count++;
        if (strcmp(text, "crash") == 0) { volatile int* bad = NULL; *bad = 42; }
        if (strcmp(text, "abort") == 0) abort();
        if (strcmp(text, "fail") == 0) return CResult_error("probe refused 'fail'");
        if (strcmp(text, "badpacket") == 0) { CPacket o = {PACKET_TYPE_BINARY, NULL, 4}; return out("out", &o, ud); }
        char thread[32] = {0};
        prctl(PR_GET_NAME, thread, 0, 0, 0);
        char line[256];
        snprintf(line, sizeof line, "%s:%s:%s", pin, text, thread);
        char json[96];
        int n = snprintf(json, sizeof json, "{\"count\":%lu}", p->count);
        t("probe.seen", (const unsigned char*)json, (size_t)n, NULL, tu);
        return emit(line, out, ud);
    }
    static CResult update(CPluginHandle h, const char* params) {
        (void)h;
        if (strstr(params, "refuse")) return CResult_error("probe refuses these params");
        return CResult_success();
    }
    static CResult flush(CPluginHandle h, COutputCallback out, void* ud, CTelemetryCallback t, void* tu) {
        (void)t; (void)tu;
        Probe* p = h;
        char line[64];
        snprintf(line, sizeof line, "flushed:%lu", p->count);
        return emit(line, out, ud);
    }
    static void destroy(CPluginHandle h) {
        Probe* p = h;
        if (p->log[0]) { FILE* f = fopen(p->log, "a"); if (f) { fputs("destroyed\n", f); fclose(f); } }
        free(p);
    }
    static const CNativePluginAPI k_api = {STREAMKIT_NATIVE_PLUGIN_API_VERSION, meta, create, process, update, flush, destroy};
    STREAMKIT_PLUGIN_ENTRY(&k_api)
    """#

