import StreamKitCore

/// The shape of a pipeline: its nodes (with their pins) and the links between them, each in
/// the order it was added.
///
/// A plain value, so that the compiler, the oneshot runner and a dynamic session ask the same
/// questions of the same model: which pin a name means (an exact pin or a member of a dynamic
/// family), what type leaves an output pin once passthrough outputs are resolved, whether a
/// link's types fit, which links feed a pin, and where the cycles are. Running state (inboxes,
/// tasks) stays with the runners.
public struct PipelineGraph: Sendable {
    /// A node as the graph sees it: its name, its kind and the instance that declares its pins.
    public struct Vertex: Sendable {
        public var id: String
        public var kind: String
        public var node: any Node
    }

    /// How a link's packet types fit.
    public enum TypeCheck: Sendable, Equatable {
        /// The output's type (passthrough resolved) is one the input accepts.
        case fits(PacketType)
        /// The output passes its input through, and nothing typed feeds it (yet).
        case unresolved
        /// The input does not accept what the output produces; `message` says so.
        case mismatch(produced: PacketType, accepted: [PacketType], message: String)
    }

    private var vertices: [String: Vertex] = [:]
    /// Node names in the order they were added.
    public private(set) var nodeIDs: [String] = []
    private var modes: [LinkID: LinkMode] = [:]
    /// Links in the order they were added.
    public private(set) var linkIDs: [LinkID] = []

    /// An empty graph.
    public init() {}

    // MARK: Queries

    /// The node named `id`.
    public func vertex(_ id: String) -> Vertex? { vertices[id] }

    /// The mode of link `id`; nil when there is no such link.
    public func mode(of id: LinkID) -> LinkMode? { modes[id] }

    /// The links into any pin of node `id`, in order.
    public func links(into id: String) -> [LinkID] {
        linkIDs.filter { $0.toNode == id }
    }

    /// The links that touch node `id` (in either direction), in order.
    public func links(touching id: String) -> [LinkID] {
        linkIDs.filter { $0.fromNode == id || $0.toNode == id }
    }

    /// The links into each input pin, by pin.
    public var linksByInput: [PinAddress: [LinkID]] {
        Dictionary(grouping: linkIDs, by: \.destination)
    }

    /// Every input pin some link feeds.
    public var fedInputs: Set<PinAddress> {
        Set(linkIDs.map(\.destination))
    }

    /// The output pin at `address`.
    public func outputPin(_ address: PinAddress) -> OutputPin? {
        vertices[address.node]?.node.outputPins.first { $0.name == address.pin }
    }

    /// The input pin at `address`: an exact pin, or a member of a dynamic family.
    public func inputPin(_ address: PinAddress) -> InputPin? {
        vertices[address.node].flatMap { Self.inputPin(of: $0.node, named: address.pin) }
    }

    /// The input pin `name` refers to on `node`: an exact pin, or a member of a dynamic family.
    public static func inputPin(of node: any Node, named name: String) -> InputPin? {
        node.inputPins.first { $0.name == name } ?? node.inputPins.first { $0.matches(name) }
    }

    /// Which side of a node a pin is on.
    public enum PinSide: String, Sendable {
        case input, output
    }

    /// Whether the `side` pin at `address` exists (an input may be a member of a dynamic family).
    public func hasPin(_ side: PinSide, at address: PinAddress) -> Bool {
        switch side {
        case .input: inputPin(address) != nil
        case .output: outputPin(address) != nil
        }
    }

    /// Says that `vertex` has no `side` pin named `pin`, listing the pins it has on that side:
    /// `'kind' has no output pin 'x' (outputs: a, b)`. With `namingNode`, the node's name follows
    /// its kind (`'kind' node 'n' has no …`).
    public static func noSuchPin(_ side: PinSide, _ pin: String, on vertex: Vertex, namingNode: Bool) -> String {
        let names = side == .input ? vertex.node.inputPins.map(\.name) : vertex.node.outputPins.map(\.name)
        let subject = namingNode ? "'\(vertex.kind)' node '\(vertex.id)'" : "'\(vertex.kind)'"
        return "\(subject) has no \(side.rawValue) pin '\(pin)' (\(side.rawValue)s: \(names.isEmpty ? "none" : names.joined(separator: ", ")))"
    }

    /// The type that leaves output `address`. A passthrough output takes the type of what feeds
    /// its node: the first link into the node (in order) whose own source resolves to a type.
    /// Stays `.passthrough` when nothing typed feeds it; `.any` when there is no such pin.
    public func producedType(at address: PinAddress) -> PacketType {
        guard let pin = outputPin(address) else { return .any }
        return resolve(pin, of: address.node, depth: 0)
    }

    private func resolve(_ pin: OutputPin, of nodeID: String, depth: Int) -> PacketType {
        // The depth bound cuts cycles (allowed through bidirectional nodes) and absurd chains.
        guard pin.producesType == .passthrough, depth < 100 else { return pin.producesType }
        for link in linkIDs where link.toNode == nodeID {
            guard let upstream = outputPin(link.source) else { continue }
            let type = resolve(upstream, of: link.fromNode, depth: depth + 1)
            if type != .passthrough { return type }
        }
        return .passthrough
    }

    /// Whether the types of a link from `source` to `destination` fit. Nil when either pin is missing.
    public func typeCheck(from source: PinAddress, to destination: PinAddress) -> TypeCheck? {
        guard outputPin(source) != nil, let input = inputPin(destination) else { return nil }
        let produced = producedType(at: source)
        if produced == .passthrough { return .unresolved }
        guard PacketType.canConnect(output: produced, toAnyOf: input.acceptsTypes) else {
            let accepted = input.acceptsTypes.map(\.description).joined(separator: " or ")
            return .mismatch(
                produced: produced, accepted: input.acceptsTypes,
                message: "type mismatch: '\(source)' produces \(produced), but '\(destination)' accepts \(accepted)"
            )
        }
        return .fits(produced)
    }

    /// Every cycle that runs through no node of `exempt`, each once, as the path that closes it
    /// (`a -> b -> a`: the first name repeated at the end). Nodes are visited in order.
    public func cycles(exempt: Set<String>) -> [[String]] {
        var successors: [String: [String]] = [:]
        for link in linkIDs { successors[link.fromNode, default: []].append(link.toNode) }
        var color: [String: Int] = [:]  // 0 unvisited, 1 on the path, 2 done
        var path: [String] = []
        var found: [[String]] = []
        var reported = Set<Set<String>>()

        func visit(_ id: String) {
            color[id] = 1
            path.append(id)
            for next in successors[id, default: []] {
                switch color[next, default: 0] {
                case 0: visit(next)
                case 1:
                    guard let start = path.firstIndex(of: next) else { continue }
                    let cycle = Array(path[start...])
                    let members = Set(cycle)
                    if members.isDisjoint(with: exempt), reported.insert(members).inserted {
                        found.append(cycle + [next])
                    }
                default: break
                }
            }
            path.removeLast()
            color[id] = 2
        }
        for id in nodeIDs where color[id, default: 0] == 0 { visit(id) }
        return found
    }

    // MARK: Changes

    /// Adds a node (replacing none: a name already present is ignored).
    public mutating func addNode(id: String, kind: String, node: any Node) {
        guard vertices[id] == nil else { return }
        vertices[id] = Vertex(id: id, kind: kind, node: node)
        nodeIDs.append(id)
    }

    /// Removes a node and every link touching it; returns those links.
    @discardableResult
    public mutating func removeNode(_ id: String) -> [LinkID] {
        let touching = links(touching: id)
        for link in touching { removeLink(link) }
        if vertices.removeValue(forKey: id) != nil { nodeIDs.removeAll { $0 == id } }
        return touching
    }

    /// Adds a link (a link already present is ignored).
    public mutating func addLink(_ id: LinkID, mode: LinkMode) {
        guard modes[id] == nil else { return }
        modes[id] = mode
        linkIDs.append(id)
    }

    /// Removes a link; returns whether it was there.
    @discardableResult
    public mutating func removeLink(_ id: LinkID) -> Bool {
        guard modes.removeValue(forKey: id) != nil else { return false }
        linkIDs.removeAll { $0 == id }
        return true
    }
}
