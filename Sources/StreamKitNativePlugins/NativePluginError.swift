/// Why a native plugin library could not be loaded. Each message says what is wrong with the
/// file, in terms a plugin author can act on.
public enum NativePluginLoadError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The file is not an ELF or Mach-O shared library (its first bytes are shown).
    case notASharedLibrary(file: String, firstBytes: String)
    /// `dlopen` refused it (wrong architecture, a missing dependency or symbol, …).
    case openFailed(file: String, reason: String)
    /// The library does not export the entry function.
    case missingEntryPoint(file: String)
    /// The entry function returned NULL.
    case nullAPI(file: String)
    /// The plugin speaks another ABI version.
    case versionMismatch(file: String, plugin: UInt32, host: UInt32)
    /// `get_metadata` returned NULL or something that breaks the ABI's rules.
    case invalidMetadata(file: String, reason: String)
    /// The plugin crashed while being loaded.
    case crashed(file: String, signal: Int32, during: String)

    public var description: String {
        switch self {
        case .notASharedLibrary(let file, let bytes):
            "'\(file)' is not a shared library: expected an ELF or Mach-O file, the first bytes are \(bytes)"
        case .openFailed(let file, let reason):
            "cannot load '\(file)': \(reason)"
        case .missingEntryPoint(let file):
            "'\(file)' does not export the function '\(NativePluginABI.entrySymbol)'; build the plugin with STREAMKIT_PLUGIN_ENTRY (C), native_plugin_entry! (Rust) or #streamKitPlugin (Swift)"
        case .nullAPI(let file):
            "'\(file)': '\(NativePluginABI.entrySymbol)' returned NULL instead of its function table"
        case .versionMismatch(let file, let plugin, let host):
            "'\(file)': plugin API version mismatch: the plugin has version \(plugin), this host expects \(host)"
        case .invalidMetadata(let file, let reason):
            "'\(file)': invalid plugin metadata: \(reason)"
        case .crashed(let file, let signal, let call):
            "'\(file)' crashed with \(SignalName.describe(signal)) in \(call) while loading"
        }
    }
}

/// Names of the fault signals a plugin call can end with.
enum SignalName {
    static func describe(_ signal: Int32) -> String {
        switch signal {
        case 11: "SIGSEGV (invalid memory access)"
        case 7: "SIGBUS (bus error)"
        case 8: "SIGFPE (arithmetic fault)"
        case 4: "SIGILL (illegal instruction, e.g. a Rust panic that aborted)"
        case 6: "SIGABRT (abort)"
        default: "signal \(signal)"
        }
    }
}
