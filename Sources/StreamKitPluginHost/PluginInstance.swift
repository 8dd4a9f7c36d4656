import StreamKitCore

/// One packet a plugin emitted during a call, for the output pin it named.
public struct PluginOutput: Sendable {
    public var pin: String
    public var packet: Packet

    public init(pin: String, packet: Packet) {
        self.pin = pin
        self.packet = packet
    }
}

/// A parameter update a plugin instance did not take.
public struct PluginParamsRefusal: Error {
    /// What the sender of the update is told.
    public var message: String
    /// Set when the call also broke the instance: the node then fails with this error. Nil for an
    /// ordinary refusal, after which the instance goes on with its old parameters.
    public var fatal: StreamKitError?

    public init(message: String, fatal: StreamKitError? = nil) {
        self.message = message
        self.fatal = fatal
    }
}

/// One running instance of a plugin (one node's worth of plugin state), as ``PluginNode`` drives it.
///
/// Every call comes from the node's own ``PluginThread``, one at a time, and is synchronous: a
/// call may block (a model load, a guest running under its CPU budget, or, for a plugin that
/// lives in another process, a round trip over its pipe) because that thread is the node's alone.
/// Not Sendable: an instance lives on the thread that made it.
public protocol PluginInstance: AnyObject {
    /// Handles one packet that arrived on input pin `pin` and returns what the plugin emitted
    /// during the call, in order. Throwing fails the node.
    func process(_ packet: Packet, on pin: String) throws(StreamKitError) -> [PluginOutput]

    /// Applies new parameters while the node runs.
    func updateParams(_ params: JSONValue) throws(PluginParamsRefusal)

    /// Called once when every input has ended normally (never on shutdown); returns the last outputs.
    func flush() throws(StreamKitError) -> [PluginOutput]

    /// Ends the instance; called exactly once, when the node ends for any reason. An instance a
    /// fault has broken is left alone here.
    func finish()

    /// A warning from the host about this instance (such as an output on a pin it does not
    /// declare), written where the plugin's own log lines go.
    func hostWarning(_ message: String)
}

extension PluginInstance {
    /// Kinds without an end-of-stream call emit nothing more at the end.
    public func flush() throws(StreamKitError) -> [PluginOutput] { [] }
}
