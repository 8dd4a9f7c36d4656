import Synchronization

/// Identifies a link: `from_node.from_pin -> to_node.to_pin`.
public struct LinkID: Sendable, Hashable, CustomStringConvertible {
    public var fromNode: String
    public var fromPin: String
    public var toNode: String
    public var toPin: String

    public init(fromNode: String, fromPin: String, toNode: String, toPin: String) {
        self.fromNode = fromNode
        self.fromPin = fromPin
        self.toNode = toNode
        self.toPin = toPin
    }

    public var description: String { "\(fromNode).\(fromPin) -> \(toNode).\(toPin)" }
}

/// The sending side of one output pin: the set of links it fans out to.
///
/// Links can be added and removed while the node runs (dynamic sessions); each send
/// works on a snapshot, so a change takes effect from the next packet.
public final class OutputPort: Sendable {
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
}
