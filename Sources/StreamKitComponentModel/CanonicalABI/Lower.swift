import WasmKit

// Lowering: writing host values into a guest, as flat core values or into linear memory
// (allocating with the guest's realloc). A host value that does not fit its type is a usage
// error, reported with the type it should have had.
extension CanonicalContext {
    mutating func lowerFlat(_ value: ComponentValue, _ type: ComponentValueType, into out: inout [Value]) throws {
        switch (type, value) {
        case (.bool, .bool(let v)): out.append(.i32(v ? 1 : 0))
        case (.s8, .s8(let v)): out.append(.i32(UInt32(bitPattern: Int32(v))))
        case (.u8, .u8(let v)): out.append(.i32(UInt32(v)))
        case (.s16, .s16(let v)): out.append(.i32(UInt32(bitPattern: Int32(v))))
        case (.u16, .u16(let v)): out.append(.i32(UInt32(v)))
        case (.s32, .s32(let v)): out.append(.i32(UInt32(bitPattern: v)))
        case (.u32, .u32(let v)): out.append(.i32(v))
        case (.s64, .s64(let v)): out.append(.i64(UInt64(bitPattern: v)))
        case (.u64, .u64(let v)): out.append(.i64(v))
        case (.f32, .f32(let v)): out.append(.f32(Self.canonicalNaN(v).bitPattern))
        case (.f64, .f64(let v)): out.append(.f64(Self.canonicalNaN(v).bitPattern))
        case (.char, .char(let v)): out.append(.i32(v.value))
        case (.string, .string(let v)):
            let (pointer, length) = try storeString(v)
            out.append(.i32(pointer)); out.append(.i32(length))
        case (.list(let element), .list), (.list(let element), .float32List), (.list(let element), .byteList):
            let (pointer, length) = try storeList(value, element)
            out.append(.i32(pointer)); out.append(.i32(length))
        case (.record(let fields), .record(let values)) where fields.count == values.count:
            for (field, v) in zip(fields, values) { try lowerFlat(v, field.type, into: &out) }
        case (.tuple(let types), .tuple(let values)) where types.count == values.count:
            for (t, v) in zip(types, values) { try lowerFlat(v, t, into: &out) }
        case (.variant, _), (.enumeration, _), (.option, _), (.result, _):
            try lowerFlat(value, type, layout: CanonicalLayout.VariantLayout(type), into: &out)
        case (.flags(let names), .flags(let set)):
            for word in try Self.flagWords(names, set) { out.append(.i32(word)) }
        case (.own(let resource), .own(let handle)):
            out.append(.i32(try lowerOwn(handle, resource)))
        case (.borrow(let resource), .borrow(let handle)), (.borrow(let resource), .own(let handle)):
            out.append(.i32(try lowerBorrow(handle, resource)))
        default:
            throw ComponentError.usage("value \(value) does not have type \(type)")
        }
    }

    /// Lowers a variant-like value (variant, enum, option, result) with its layout worked out
    /// beforehand, as functions do for their top-level parameters and results.
    mutating func lowerFlat(_ value: ComponentValue, _ type: ComponentValueType, layout: CanonicalLayout.VariantLayout, into out: inout [Value]) throws {
        let (index, payload) = try Self.caseIndex(of: value, in: type)
        out.append(.i32(UInt32(index)))
        var payloadFlats: [Value] = []
        if index < layout.cases.count, let payloadType = layout.cases[index], let payload {
            try lowerFlat(payload, payloadType, into: &payloadFlats)
        }
        for (slot, joinedType) in layout.joined.enumerated() {
            out.append(slot < payloadFlats.count ? Self.coerceToJoined(payloadFlats[slot], joinedType) : Self.zero(joinedType))
        }
    }

    mutating func store(_ value: ComponentValue, _ type: ComponentValueType, at pointer: UInt32) throws {
        let memory = try requireMemory(for: "writing a \(type)")
        switch (type, value) {
        case (.bool, .bool(let v)): try memory.store(UInt8(v ? 1 : 0), at: pointer)
        case (.s8, .s8(let v)): try memory.store(v, at: pointer)
        case (.u8, .u8(let v)): try memory.store(v, at: pointer)
        case (.s16, .s16(let v)): try memory.store(v, at: pointer)
        case (.u16, .u16(let v)): try memory.store(v, at: pointer)
        case (.s32, .s32(let v)): try memory.store(v, at: pointer)
        case (.u32, .u32(let v)): try memory.store(v, at: pointer)
        case (.s64, .s64(let v)): try memory.store(v, at: pointer)
        case (.u64, .u64(let v)): try memory.store(v, at: pointer)
        case (.f32, .f32(let v)): try memory.store(Self.canonicalNaN(v).bitPattern, at: pointer)
        case (.f64, .f64(let v)): try memory.store(Self.canonicalNaN(v).bitPattern, at: pointer)
        case (.char, .char(let v)): try memory.store(v.value, at: pointer)
        case (.string, .string(let v)):
            let (stringPointer, length) = try storeString(v)
            try memory.store(stringPointer, at: pointer)
            try memory.store(length, at: try Self.advance(pointer, 4))
        case (.list(let element), .list), (.list(let element), .float32List), (.list(let element), .byteList):
            let (listPointer, length) = try storeList(value, element)
            try memory.store(listPointer, at: pointer)
            try memory.store(length, at: try Self.advance(pointer, 4))
        case (.record(let fields), .record(let values)) where fields.count == values.count:
            try storeSequence(values, fields.map(\.type), at: pointer)
        case (.tuple(let types), .tuple(let values)) where types.count == values.count:
            try storeSequence(values, types, at: pointer)
        case (.variant, _), (.enumeration, _), (.option, _), (.result, _):
            let (index, payload) = try Self.caseIndex(of: value, in: type)
            switch CanonicalLayout.discriminantSize(CanonicalLayout.caseCount(type)) {
            case 1: try memory.store(UInt8(index), at: pointer)
            case 2: try memory.store(UInt16(index), at: pointer)
            default: try memory.store(UInt32(index), at: pointer)
            }
            if let payloadType = CanonicalLayout.casePayload(type, index), let payload {
                try store(payload, payloadType, at: try Self.advance(pointer, CanonicalLayout.payloadOffset(type)))
            }
        case (.flags(let names), .flags(let set)):
            let words = try Self.flagWords(names, set)
            switch CanonicalLayout.size(type) {
            case 0: break
            case 1: try memory.store(UInt8(truncatingIfNeeded: words[0]), at: pointer)
            case 2: try memory.store(UInt16(truncatingIfNeeded: words[0]), at: pointer)
            default:
                for (index, word) in words.enumerated() { try memory.store(word, at: try Self.advance(pointer, index * 4)) }
            }
        case (.own(let resource), .own(let handle)):
            try memory.store(try lowerOwn(handle, resource), at: pointer)
        case (.borrow(let resource), .borrow(let handle)), (.borrow(let resource), .own(let handle)):
            try memory.store(try lowerBorrow(handle, resource), at: pointer)
        default:
            throw ComponentError.usage("value \(value) does not have type \(type)")
        }
    }

    private mutating func storeSequence(_ values: [ComponentValue], _ types: [ComponentValueType], at pointer: UInt32) throws {
        var offset = 0
        for (value, type) in zip(values, types) {
            offset = CanonicalLayout.alignTo(offset, CanonicalLayout.alignment(type))
            try store(value, type, at: try Self.advance(pointer, offset))
            offset += CanonicalLayout.size(type)
        }
    }

    func storeString(_ string: String) throws -> (pointer: UInt32, length: UInt32) {
        let utf8 = Array(string.utf8)
        let pointer = try allocate(size: utf8.count, alignment: 1, for: "a string")
        try requireMemory(for: "a string").write(utf8, at: pointer)
        return (pointer, UInt32(utf8.count))
    }

    /// Lowers a list in any spelling: the packed ones as one copy, `.list` element by element.
    mutating func storeList(_ list: ComponentValue, _ element: ComponentValueType) throws -> (pointer: UInt32, length: UInt32) {
        switch (element, list) {
        case (.f32, .float32List(let floats)):
            let pointer = try allocate(size: floats.count * 4, alignment: 4, for: "a list<f32>")
            try requireMemory(for: "a list<f32>").writeFloats(floats, at: pointer)
            return (pointer, UInt32(floats.count))
        case (.u8, .byteList(let bytes)):
            let pointer = try allocate(size: bytes.count, alignment: 1, for: "a list<u8>")
            try requireMemory(for: "a list<u8>").write(bytes, at: pointer)
            return (pointer, UInt32(bytes.count))
        case (_, .list(let values)):
            return try storeList(values, element)
        case (_, .float32List):
            throw ComponentError.usage("a packed list<f32> where a list<\(element)> was expected")
        default:
            throw ComponentError.usage("a packed list<u8> where a list<\(element)> was expected")
        }
    }

    /// The generic path: one ``ComponentValue`` per element (kept for every other element type,
    /// and for `.list` of `.f32`/`.u8` values, which must give the same bytes as the packed path).
    private mutating func storeList(_ values: [ComponentValue], _ element: ComponentValueType) throws -> (pointer: UInt32, length: UInt32) {
        let elementSize = CanonicalLayout.size(element)
        let pointer = try allocate(size: values.count * elementSize, alignment: CanonicalLayout.alignment(element), for: "a list")
        let memory = try requireMemory(for: "a list")
        switch element {
        case .u8:
            var bytes: [UInt8] = []
            bytes.reserveCapacity(values.count)
            for value in values {
                guard case .u8(let byte) = value else { throw ComponentError.usage("value \(value) does not have type u8") }
                bytes.append(byte)
            }
            try memory.write(bytes, at: pointer)
        case .f32:
            var bytes: [UInt8] = []
            bytes.reserveCapacity(values.count * 4)
            for value in values {
                guard case .f32(let sample) = value else { throw ComponentError.usage("value \(value) does not have type f32") }
                withUnsafeBytes(of: Self.canonicalNaN(sample).bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            }
            try memory.write(bytes, at: pointer)
        default:
            for (index, value) in values.enumerated() {
                try store(value, element, at: pointer + UInt32(index * elementSize))
            }
        }
        return (pointer, UInt32(values.count))
    }

    mutating func lowerOwn(_ handle: ResourceHandle, _ resource: ResourceType) throws -> UInt32 {
        guard handle.type == resource else { throw ComponentError.usage("a \(handle.type) where \(resource) was expected") }
        return try state.handles.add(.init(resource: resource, rep: handle.rep, isOwn: true))
    }

    mutating func lowerBorrow(_ handle: ResourceHandle, _ resource: ResourceType) throws -> UInt32 {
        guard handle.type == resource else { throw ComponentError.usage("a \(handle.type) where \(resource) was expected") }
        // A borrow of the guest's own resource type arrives as its representation directly.
        if state.isDefinedByGuest(resource) { return handle.rep }
        let index = try state.handles.add(.init(resource: resource, rep: handle.rep, isOwn: false, scope: scope))
        lentHandles.append(index)
        return index
    }

    static func caseIndex(of value: ComponentValue, in type: ComponentValueType) throws -> (Int, ComponentValue?) {
        switch (type, value) {
        case (.variant(let cases), .variant(let name, let payload)):
            guard let index = cases.firstIndex(where: { $0.name == name }) else {
                throw ComponentError.usage("variant has no case `\(name)` (cases: \(cases.map(\.name).joined(separator: ", ")))")
            }
            guard (cases[index].type == nil) == (payload == nil) else {
                throw ComponentError.usage("case `\(name)` \(cases[index].type == nil ? "takes no payload" : "needs a payload")")
            }
            return (index, payload)
        case (.enumeration(let names), .enumeration(let name)):
            guard let index = names.firstIndex(of: name) else {
                throw ComponentError.usage("enum has no case `\(name)` (cases: \(names.joined(separator: ", ")))")
            }
            return (index, nil)
        case (.option(let payloadType), .option(let payload)):
            _ = payloadType
            return payload == nil ? (0, nil) : (1, payload)
        case (.result(let ok, _), .ok(let payload)):
            guard (ok == nil) == (payload == nil) else { throw ComponentError.usage("ok payload does not match \(type)") }
            return (0, payload)
        case (.result(_, let error), .error(let payload)):
            guard (error == nil) == (payload == nil) else { throw ComponentError.usage("error payload does not match \(type)") }
            return (1, payload)
        default:
            throw ComponentError.usage("value \(value) does not have type \(type)")
        }
    }

    static func flagWords(_ names: [String], _ set: Set<String>) throws -> [UInt32] {
        var words = Array(repeating: UInt32(0), count: CanonicalLayout.flagsWordCount(names.count))
        var seen = 0
        for (index, name) in names.enumerated() where set.contains(name) {
            words[index / 32] |= 1 << UInt32(index % 32)
            seen += 1
        }
        guard seen == set.count else {
            throw ComponentError.usage("flags \(set.subtracting(names).sorted()) are not in flags { \(names.joined(separator: ", ")) }")
        }
        return words
    }

    static func coerceToJoined(_ value: Value, _ joined: CoreFlatType) -> Value {
        switch (value, joined) {
        case (.f32(let bits), .i32): return .i32(bits)
        case (.i32(let x), .i64): return .i64(UInt64(x))
        case (.f32(let bits), .i64): return .i64(UInt64(bits))
        case (.f64(let bits), .i64): return .i64(bits)
        default: return value
        }
    }

    static func zero(_ type: CoreFlatType) -> Value {
        switch type {
        case .i32: return .i32(0)
        case .i64: return .i64(0)
        case .f32: return .f32(0)
        case .f64: return .f64(0)
        }
    }

    /// The canonical ABI makes NaNs deterministic at the boundary.
    static func canonicalNaN(_ value: Float) -> Float { value.isNaN ? Float(bitPattern: 0x7fc0_0000) : value }
    static func canonicalNaN(_ value: Double) -> Double { value.isNaN ? Double(bitPattern: 0x7ff8_0000_0000_0000) : value }
}
