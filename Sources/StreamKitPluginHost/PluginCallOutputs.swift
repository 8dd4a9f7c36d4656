import StreamKitCore

/// What a plugin emits during one call, collected by the kind's output callback and handed to
/// the node when the call returns.
///
/// Used only on the instance's own thread, during and right after a call.
public final class PluginCallOutputs {
    private var packets: [PluginOutput] = []
    /// The first emitted packet that could not be converted; it fails the node even when the
    /// plugin then reports success.
    public private(set) var conversionError: String?

    public init() {}

    /// Records one emitted packet.
    public func append(_ packet: Packet, on pin: String) {
        packets.append(PluginOutput(pin: pin, packet: packet))
    }

    /// Records why an emitted packet could not be taken (only the first reason is kept).
    public func recordConversionError(_ reason: String) {
        if conversionError == nil { conversionError = reason }
    }

    /// Everything emitted since the last take, in order.
    public func take() -> [PluginOutput] {
        defer { packets.removeAll(keepingCapacity: true) }
        return packets
    }
}
