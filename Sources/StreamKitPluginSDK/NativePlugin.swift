/// A StreamKit native plugin written in Swift.
///
/// Implement this on a class, then export it with one line:
///
/// ```swift
/// @_cdecl("streamkit_native_plugin_api") public func streamkitPluginAPI() -> UnsafeRawPointer { exportPlugin(GainPlugin.self) }
/// ```
///
/// The result is a shared library that speaks the StreamKit native ABI v2, loads in this server
/// and in the original. One instance is made per pipeline node; calls on an instance never
/// overlap. Errors you throw become the plugin's error messages; nothing you do unwinds across the
/// C boundary (Swift errors are returned, never thrown through C).
public protocol NativePlugin: AnyObject {
    /// What the node is: kind, pins, parameter schema, categories. Read once when the plugin loads.
    static var metadata: PluginMetadata { get }
    /// Makes an instance from the node's parameters (already checked against the schema).
    init(params: PluginParams, logger: PluginLogger) throws
    /// Handles one packet that arrived on input `pin`; send results through `output`.
    func process(pin: String, packet: PluginPacket, output: PluginOutput) throws
    /// Applies new parameters while running. Throw to refuse them (the client sees the message).
    func updateParams(_ params: PluginParams) throws
    /// The input ended: emit anything still buffered.
    func flush(output: PluginOutput) throws
    /// The node is going away (called once, last).
    func cleanup()
}

extension NativePlugin {
    public func updateParams(_ params: PluginParams) throws {}
    public func flush(output: PluginOutput) throws {}
    public func cleanup() {}
}

/// An error with a message, for plugins that have nothing better to throw.
public struct PluginError: Error, CustomStringConvertible {
    public var description: String
    public init(_ message: String) { description = message }
}
