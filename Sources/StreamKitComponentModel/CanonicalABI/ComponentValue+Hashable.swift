// Equality and hashing by value: a packed list (`.float32List`, `.byteList`) equals the generic
// `.list` of the same elements, so which spelling lifting produced never changes a comparison.
// Everything else compares as the synthesized conformance would (case, then payload).
extension ComponentValue: Hashable {
    public static func == (lhs: ComponentValue, rhs: ComponentValue) -> Bool {
        switch (lhs, rhs) {
        case (.bool(let a), .bool(let b)): return a == b
        case (.s8(let a), .s8(let b)): return a == b
        case (.u8(let a), .u8(let b)): return a == b
        case (.s16(let a), .s16(let b)): return a == b
        case (.u16(let a), .u16(let b)): return a == b
        case (.s32(let a), .s32(let b)): return a == b
        case (.u32(let a), .u32(let b)): return a == b
        case (.s64(let a), .s64(let b)): return a == b
        case (.u64(let a), .u64(let b)): return a == b
        case (.f32(let a), .f32(let b)): return a == b
        case (.f64(let a), .f64(let b)): return a == b
        case (.char(let a), .char(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.list(let a), .list(let b)): return a == b
        case (.float32List(let a), .float32List(let b)): return a == b
        case (.byteList(let a), .byteList(let b)): return a == b
        case (.list, .float32List), (.list, .byteList), (.float32List, .list), (.byteList, .list),
             (.float32List, .byteList), (.byteList, .float32List):
            return sameElements(lhs, rhs)
        case (.record(let a), .record(let b)): return a == b
        case (.tuple(let a), .tuple(let b)): return a == b
        case (.variant(let a, let x), .variant(let b, let y)): return a == b && x == y
        case (.enumeration(let a), .enumeration(let b)): return a == b
        case (.option(let a), .option(let b)): return a == b
        case (.ok(let a), .ok(let b)): return a == b
        case (.error(let a), .error(let b)): return a == b
        case (.flags(let a), .flags(let b)): return a == b
        case (.own(let a), .own(let b)): return a == b
        case (.borrow(let a), .borrow(let b)): return a == b
        default: return false
        }
    }

    private static func sameElements(_ lhs: ComponentValue, _ rhs: ComponentValue) -> Bool {
        guard let count = lhs.listCount, count == rhs.listCount else { return false }
        for index in 0..<count where lhs.listElement(index) != rhs.listElement(index) { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .bool(let v): hasher.combine(0); hasher.combine(v)
        case .s8(let v): hasher.combine(1); hasher.combine(v)
        case .u8(let v): hasher.combine(2); hasher.combine(v)
        case .s16(let v): hasher.combine(3); hasher.combine(v)
        case .u16(let v): hasher.combine(4); hasher.combine(v)
        case .s32(let v): hasher.combine(5); hasher.combine(v)
        case .u32(let v): hasher.combine(6); hasher.combine(v)
        case .s64(let v): hasher.combine(7); hasher.combine(v)
        case .u64(let v): hasher.combine(8); hasher.combine(v)
        case .f32(let v): hasher.combine(9); hasher.combine(v)
        case .f64(let v): hasher.combine(10); hasher.combine(v)
        case .char(let v): hasher.combine(11); hasher.combine(v)
        case .string(let v): hasher.combine(12); hasher.combine(v)
        case .list, .float32List, .byteList:
            // Element by element, as `.f32`/`.u8` values, so both spellings hash alike.
            let count = listCount ?? 0
            hasher.combine(13)
            hasher.combine(count)
            for index in 0..<count { listElement(index).hash(into: &hasher) }
        case .record(let v): hasher.combine(14); hasher.combine(v)
        case .tuple(let v): hasher.combine(15); hasher.combine(v)
        case .variant(let name, let payload): hasher.combine(16); hasher.combine(name); hasher.combine(payload)
        case .enumeration(let v): hasher.combine(17); hasher.combine(v)
        case .option(let v): hasher.combine(18); hasher.combine(v)
        case .ok(let v): hasher.combine(19); hasher.combine(v)
        case .error(let v): hasher.combine(20); hasher.combine(v)
        case .flags(let v): hasher.combine(21); hasher.combine(v)
        case .own(let v): hasher.combine(22); hasher.combine(v)
        case .borrow(let v): hasher.combine(23); hasher.combine(v)
        }
    }
}
