import CStreamKitNativeABI

/// Constants of the native plugin ABI as the host sees them.
public enum NativePluginABI {
    /// The ABI version this host speaks (2, as the original).
    public static let version = UInt32(STREAMKIT_NATIVE_PLUGIN_API_VERSION)
    /// The exported entry function every plugin defines.
    public static let entrySymbol = STREAMKIT_NATIVE_PLUGIN_ENTRY_SYMBOL
    /// The prefix of every native plugin's registered kind.
    public static let kindPrefix = "plugin::native::"
}
