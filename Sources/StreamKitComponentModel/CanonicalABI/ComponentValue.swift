/// A component-level value, as the host sees it: what a host function receives and returns,
/// and what an exported function is called with.
///
/// Records and tuples are positional (field order of the type); variants and enums are
/// named by case; flags are the set of names that are set.
///
/// Only the cases holding a single nested value are `indirect`: making the whole enum
/// indirect would box every element of a `list<f32>`, one allocation per audio sample.
public enum ComponentValue: Sendable, Hashable {
    case bool(Bool)
    case s8(Int8), u8(UInt8), s16(Int16), u16(UInt16), s32(Int32), u32(UInt32), s64(Int64), u64(UInt64)
    case f32(Float), f64(Double)
    case char(Unicode.Scalar)
    case string(String)
    case list([ComponentValue])
    case record([ComponentValue])
    case tuple([ComponentValue])
    indirect case variant(String, ComponentValue?)
    case enumeration(String)
    indirect case option(ComponentValue?)
    indirect case ok(ComponentValue?)
    indirect case error(ComponentValue?)
    case flags(Set<String>)
    case own(ResourceHandle)
    case borrow(ResourceHandle)
}

/// A resource value held by the host: its type and its representation (the `i32` the
/// implementing side chose, e.g. a guest pointer or an index into a host table).
public struct ResourceHandle: Sendable, Hashable {
    public let type: ResourceType
    public let rep: UInt32

    public init(type: ResourceType, rep: UInt32) {
        self.type = type
        self.rep = rep
    }
}
