#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CStreamKitNativeABI
import CStreamKitPluginGuard
import Foundation
import Logging
import StreamKitCore
import StreamKitPluginHost

/// One loaded copy of a native plugin: its function table and its metadata.
///
/// The library is opened with immediate binding, so a missing symbol fails here and not in the
/// middle of a stream. It is never closed: nodes made from it may still run after the plugin is
/// deleted or replaced, and even after the last instance is destroyed a plugin may have left
/// threads or thread-local destructors behind, which `dlclose` would pull the code out from
/// under. A replaced version costs its mapped pages until the process exits.
public final class NativePluginLibrary: Sendable {
    /// The file the plugin was loaded from (for messages).
    public let file: String
    public let metadata: NativePluginMetadata
    /// How long `dlopen` + entry + metadata took.
    public let loadDuration: Duration
    /// Where the plugin's log lines go.
    let logSink: PluginLogSink
    // The function table is immutable for the life of the library (an ABI rule) and the
    // library is never unloaded, so sharing the pointer across threads is safe.
    nonisolated(unsafe) let api: UnsafePointer<CNativePluginAPI>

    private init(file: String, api: UnsafePointer<CNativePluginAPI>, metadata: NativePluginMetadata, logSink: PluginLogSink, loadDuration: Duration) {
        self.file = file
        self.api = api
        self.metadata = metadata
        self.logSink = logSink
        self.loadDuration = loadDuration
    }

    /// Loads the library at `path`. `displayName` names it in messages (the uploaded file name,
    /// not the private copy the host actually opens). Blocking: call it off the cooperative pool.
    public static func load(path: String, displayName: String? = nil, logger: Logger) throws(NativePluginLoadError) -> NativePluginLibrary {
        let clock = ContinuousClock()
        let started = clock.now
        let name = displayName ?? (path as NSString).lastPathComponent
        try checkFileFormat(path: path, name: name)

        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            throw .openFailed(file: name, reason: reason.replacingOccurrences(of: path, with: name))
        }
        guard let symbol = dlsym(handle, NativePluginABI.entrySymbol) else {
            throw .missingEntryPoint(file: name)
        }
        let entry = unsafeBitCast(symbol, to: StreamKitNativePluginAPIFn.self)
        var apiPointer: UnsafePointer<CNativePluginAPI>?
        let entrySignal = skg_call_entry(entry, &apiPointer)
        guard entrySignal == 0 else { throw .crashed(file: name, signal: entrySignal, during: NativePluginABI.entrySymbol) }
        guard let api = apiPointer else { throw .nullAPI(file: name) }
        guard api.pointee.version == NativePluginABI.version else {
            throw .versionMismatch(file: name, plugin: api.pointee.version, host: NativePluginABI.version)
        }
        let table = api.pointee
        guard table.get_metadata != nil, table.create_instance != nil, table.process_packet != nil,
              table.update_params != nil, table.flush != nil, table.destroy_instance != nil else {
            throw .invalidMetadata(file: name, reason: "the function table has a NULL function pointer (all six must be set)")
        }
        var metadataPointer: UnsafePointer<CNodeMetadata>?
        let metadataSignal = skg_get_metadata(api, &metadataPointer)
        guard metadataSignal == 0 else { throw .crashed(file: name, signal: metadataSignal, during: "get_metadata") }
        let metadata = try NativePluginMetadata(copying: metadataPointer, file: name)
        let sink = PluginLogSink(kind: metadata.kind, logger: logger)
        return NativePluginLibrary(file: name, api: api, metadata: metadata, logSink: sink, loadDuration: clock.now - started)
    }

    /// Refuses files that are not shared libraries before `dlopen` sees them, with a clearer
    /// message than the loader's.
    private static func checkFileFormat(path: String, name: String) throws(NativePluginLoadError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .openFailed(file: name, reason: "the file cannot be read")
        }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 4)) ?? Data())
        let magics: [[UInt8]] = [
            [0x7F, 0x45, 0x4C, 0x46],  // ELF
            [0xCF, 0xFA, 0xED, 0xFE], [0xCE, 0xFA, 0xED, 0xFE],  // Mach-O 64/32, little-endian
            [0xCA, 0xFE, 0xBA, 0xBE],  // Mach-O universal
        ]
        guard magics.contains(head) else {
            let shown = head.isEmpty ? "(the file is empty)" : head.map { String(format: "%02x", $0) }.joined(separator: " ")
            throw .notASharedLibrary(file: name, firstBytes: shown)
        }
    }
}

/// What the plugin host needs to run a native plugin as nodes.
extension NativePluginLibrary: PluginLibrary {
    public var kind: String { metadata.kind }
    public var summary: String { metadata.description ?? "Native plugin '\(metadata.originalKind)'" }
    public var categories: [String] { metadata.categories }
    public var paramSchema: JSONValue { metadata.paramSchema }
    public var inputPins: [InputPin] { metadata.inputs }
    public var outputPins: [OutputPin] { metadata.outputs }
    public var threadName: String { "skit-plugin" }

    /// The crash guard: its fault handlers (once per process) and an alternate signal stack on
    /// this thread, so a plugin's stack overflow is caught too.
    public func prepareThread() {
        skg_install()
        skg_prepare_thread()
    }

    public func makeInstance(params: JSONValue, node: NodeContext) throws(StreamKitError) -> NativePluginInstance {
        try NativePluginInstance.create(library: self, paramsJSON: params.jsonString(), node: node)
    }
}
