/// A component-level value, as the host sees it: what a host function receives and returns,
/// and what an exported function is called with.
///
/// Records and tuples are positional (field order of the type); variants and enums are
/// named by case; flags are the set of names that are set.
///
/// A `list<f32>` or `list<u8>` has two spellings: ``list(_:)`` of `.f32`/`.u8` elements, and
/// the packed ``float32List(_:)`` / ``byteList(_:)``, which cross the boundary as one bulk copy
/// instead of one value per element (audio samples, binary payloads). Lifting always gives the
/// packed spelling for those two types; lowering accepts either. The two spellings of the same
/// list are equal (`==`) and hash alike, so code comparing values need not care which it holds;
/// code reading elements can use ``listElements``, ``float32Elements`` or ``byteElements``.
///
/// Only the cases holding a single nested value are `indirect`: making the whole enum
/// indirect would box every element of a `list<f32>`, one allocation per audio sample.
public enum ComponentValue: Sendable {
    case bool(Bool)
    case s8(Int8), u8(UInt8), s16(Int16), u16(UInt16), s32(Int32), u32(UInt32), s64(Int64), u64(UInt64)
    case f32(Float), f64(Double)
    case char(Unicode.Scalar)
    case string(String)
    case list([ComponentValue])
    /// A `list<f32>`, packed: lowered and lifted as one copy of `4 × count` bytes.
    case float32List([Float])
    /// A `list<u8>`, packed: lowered and lifted as one copy of `count` bytes.
    case byteList([UInt8])
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
