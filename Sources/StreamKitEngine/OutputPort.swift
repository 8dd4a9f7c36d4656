import StreamKitCore
import Synchronization

/// The sending side of one output pin: the set of links it fans out to.
///
/// Links can be added and removed while the node runs (dynamic sessions); each send
/// works on a snapshot, so a change takes effect from the next packet.
public final class OutputPort: NodeOutputDestination {
    /// One destination of the port.
    public struct Link: Sendable {
        public var id: LinkID
        public var inbox: NodeInbox
        public var mode: LinkMode

        public init(id: LinkID, inbox: NodeInbox, mode: LinkMode) {
            self.id = id
            self.inbox = inbox
            self.mode = mode
        }
    }

    public let name: String
    private let links: Mutex<[Link]>

    public init(name: String) {
        self.name = name
        self.links = Mutex([])
    }

    public func add(_ link: Link) {
        links.withLock { $0.append(link) }
    }

    @discardableResult
    public func remove(_ id: LinkID) -> Link? {
        links.withLock { links in
            guard let index = links.firstIndex(where: { $0.id == id }) else { return nil }
            return links.remove(at: index)
        }
    }

    /// The current links.
    public var currentLinks: [Link] {
        links.withLock { $0 }
    }

    /// Removes every link and returns them (the node finished: downstream pins see end of stream).
    public func removeAll() -> [Link] {
        links.withLock { links in
            defer { links.removeAll() }
            return links
        }
    }

    public var isConnected: Bool {
        links.withLock { !$0.isEmpty }
    }

    /// Sends to each link in turn (on a snapshot of the links): a reliable link waits while its
    /// pin is full, a best-effort link drops instead. A link whose receiver has gone is removed.
    public func deliver(_ packet: Packet) async -> OutputDelivery {
        var delivery = OutputDelivery()
        for link in currentLinks {
            delivery.links += 1
            let result: NodeInbox.SendResult
            switch link.mode {
            case .reliable: result = await link.inbox.send(packet, to: link.id.toPin)
            case .bestEffort: result = link.inbox.trySend(packet, to: link.id.toPin)
            }
            switch result {
            case .delivered: delivery.open += 1
            case .dropped:
                delivery.open += 1
                delivery.dropped += 1
            case .closed:
                remove(link.id)
            }
        }
        return delivery
    }
}
