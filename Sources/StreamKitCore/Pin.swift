/// How many links a pin takes.
public enum PinCardinality: Sendable, Hashable {
    /// Exactly one link (inputs).
    case one
    /// Any number of links; each gets every packet (outputs).
    case broadcast
    /// A template for a family of pins made on demand: `prefix_0`, `prefix_1`, …
    case dynamic(prefix: String)
}

/// A named input of a node and the packet types it accepts.
public struct InputPin: Sendable, Hashable {
    public var name: String
    public var acceptsTypes: [PacketType]
    public var cardinality: PinCardinality

    public init(name: String, accepts: [PacketType], cardinality: PinCardinality = .one) {
        self.name = name
        self.acceptsTypes = accepts
        self.cardinality = cardinality
    }

    /// Whether `pinName` names this pin, or a member of its family when it is dynamic.
    public func matches(_ pinName: String) -> Bool {
        if pinName == name { return true }
        if case .dynamic(let prefix) = cardinality {
            return pinName == prefix || pinName.hasPrefix(prefix + "_")
        }
        return false
    }
}

/// A named output of a node and the packet type it produces.
public struct OutputPin: Sendable, Hashable {
    public var name: String
    public var producesType: PacketType
    public var cardinality: PinCardinality

    public init(name: String, produces: PacketType, cardinality: PinCardinality = .broadcast) {
        self.name = name
        self.producesType = produces
        self.cardinality = cardinality
    }
}

extension PinCardinality {
    var json: JSONValue {
        switch self {
        case .one: "One"
        case .broadcast: "Broadcast"
        case .dynamic(let prefix): ["Dynamic": ["prefix": .string(prefix)]]
        }
    }
}

extension InputPin {
    /// The original's JSON form: `{name, accepts_types, cardinality}`.
    public var json: JSONValue {
        ["name": .string(name), "accepts_types": .array(acceptsTypes.map(\.json)), "cardinality": cardinality.json]
    }
}

extension OutputPin {
    /// The original's JSON form: `{name, produces_type, cardinality}`.
    public var json: JSONValue {
        ["name": .string(name), "produces_type": producesType.json, "cardinality": cardinality.json]
    }
}

extension PacketType {
    /// The original's JSON form of the type.
    public var json: JSONValue {
        (try? JSONValue(encoding: self)) ?? .string(id)
    }
}
