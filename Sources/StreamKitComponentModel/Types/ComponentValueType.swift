/// A component-level value type, fully resolved (no type indices left).
///
/// Component types cannot be recursive, so a resolved type is a finite tree. Resource types in
/// `own` and `borrow` keep their identity (``ResourceType``).
public indirect enum ComponentValueType: Sendable, Hashable {
    case bool
    case s8, u8, s16, u16, s32, u32, s64, u64
    case f32, f64
    case char
    case string
    case list(ComponentValueType)
    case record([Field])
    case tuple([ComponentValueType])
    case variant([Case])
    case enumeration([String])
    case option(ComponentValueType)
    case result(ok: ComponentValueType?, error: ComponentValueType?)
    case flags([String])
    case own(ResourceType)
    case borrow(ResourceType)

    /// A named field of a record.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var type: ComponentValueType
        public init(_ name: String, _ type: ComponentValueType) {
            self.name = name
            self.type = type
        }
    }

    /// A case of a variant, with an optional payload type.
    public struct Case: Sendable, Hashable {
        public var name: String
        public var type: ComponentValueType?
        public init(_ name: String, _ type: ComponentValueType? = nil) {
            self.name = name
            self.type = type
        }
    }
}

/// The type of a component function: named parameters and at most one result (older binaries
/// may name several results; they are kept in order).
public struct ComponentFunctionType: Sendable, Hashable {
    public var parameters: [ComponentValueType.Field]
    public var results: [ComponentValueType]

    /// - Parameters:
    ///   - parameters: name and type of each parameter, in order.
    ///   - result: the result type, or `nil` for a function returning nothing.
    public init(parameters: [ComponentValueType.Field] = [], result: ComponentValueType? = nil) {
        self.parameters = parameters
        self.results = result.map { [$0] } ?? []
    }

    init(parameters: [ComponentValueType.Field], results: [ComponentValueType]) {
        self.parameters = parameters
        self.results = results
    }
}

/// The identity of a resource type.
///
/// Two resource types are the same only if they come from the same definition: a host
/// declaration (``ComponentLinker/defineResource(interface:name:destructor:)``) or a guest's
/// `(type (resource ...))`. The name is for messages.
public struct ResourceType: Sendable, Hashable, CustomStringConvertible {
    final class Identity: Sendable {}
    let identity: Identity
    /// The resource's name (e.g. `node-instance`), for messages.
    public let name: String

    /// Creates a new, distinct resource type.
    public init(name: String) {
        self.identity = Identity()
        self.name = name
    }

    public static func == (lhs: ResourceType, rhs: ResourceType) -> Bool { lhs.identity === rhs.identity }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(identity)) }
    public var description: String { "resource \(name)" }
}
