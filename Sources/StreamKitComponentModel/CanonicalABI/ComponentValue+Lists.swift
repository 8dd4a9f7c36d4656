// The two spellings of `list<f32>` and `list<u8>` (generic and packed) and the accessors that
// read a list whichever spelling it has.
extension ComponentValue {
    /// The elements of a list value, whichever spelling it has (`nil` if this is not a list).
    ///
    /// For a packed list this builds one ``ComponentValue`` per element; prefer
    /// ``float32Elements`` or ``byteElements`` where the element type is known.
    public var listElements: [ComponentValue]? {
        switch self {
        case .list(let values): return values
        case .float32List(let floats): return floats.map { .f32($0) }
        case .byteList(let bytes): return bytes.map { .u8($0) }
        default: return nil
        }
    }

    /// The samples of a `list<f32>` value, whichever spelling it has: `nil` if this is not a
    /// list or an element is not an `f32`.
    public var float32Elements: [Float]? {
        if case .float32List(let floats) = self { return floats }
        return genericListElements { if case .f32(let float) = $0 { float } else { nil } }
    }

    /// The bytes of a `list<u8>` value, whichever spelling it has: `nil` if this is not a list
    /// or an element is not a `u8`.
    public var byteElements: [UInt8]? {
        if case .byteList(let bytes) = self { return bytes }
        return genericListElements { if case .u8(let byte) = $0 { byte } else { nil } }
    }

    /// The elements of a generic `.list`, each unwrapped by `element`: `nil` if this is not a
    /// generic list or `element` refuses one of them.
    private func genericListElements<Element>(_ element: (ComponentValue) -> Element?) -> [Element]? {
        guard case .list(let values) = self else { return nil }
        var elements: [Element] = []
        elements.reserveCapacity(values.count)
        for value in values {
            guard let unwrapped = element(value) else { return nil }
            elements.append(unwrapped)
        }
        return elements
    }

    /// The number of elements of a list value in any spelling (`nil` if this is not a list).
    var listCount: Int? {
        switch self {
        case .list(let values): return values.count
        case .float32List(let floats): return floats.count
        case .byteList(let bytes): return bytes.count
        default: return nil
        }
    }

    /// Element `index` of a list value in any spelling; `index` must be below ``listCount``.
    func listElement(_ index: Int) -> ComponentValue {
        switch self {
        case .float32List(let floats): return .f32(floats[index])
        case .byteList(let bytes): return .u8(bytes[index])
        case .list(let values): return values[index]
        default: return self
        }
    }
}
