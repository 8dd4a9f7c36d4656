/// Where the packets of one output pin go, as the node's context sees it.
///
/// The engine's `OutputPort` is the implementation: it fans a packet out to every link of the
/// pin, waiting on reliable links that are full and dropping on best-effort ones.
public protocol NodeOutputDestination: Sendable {
    /// Offers `packet` to every current link of the pin and says how it went.
    func deliver(_ packet: Packet) async -> OutputDelivery
    /// Whether the pin has any link now.
    var isConnected: Bool { get }
}

/// How one packet fared on an output pin's links.
public struct OutputDelivery: Sendable, Equatable {
    /// Links the pin had when the packet was sent (0: the packet went nowhere).
    public var links = 0
    /// Links still open after the send (a best-effort link that dropped the packet is still open).
    public var open = 0
    /// Best-effort links that dropped the packet because they were full.
    public var dropped = 0

    /// A report of nothing yet; the sender counts each link into it.
    public init() {}
}
