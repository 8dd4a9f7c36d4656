import WasmKit

// Lifting: reading component values out of a guest (flat core values or linear memory).
// Every pointer, length, discriminant, char and handle is checked; a bad one throws.
extension CanonicalContext {
    mutating func liftFlat(_ type: ComponentValueType, _ reader: inout FlatValueReader) throws -> ComponentValue {
        switch type {
        case .bool: return .bool(try reader.nextI32() != 0)
        case .s8: return .s8(Int8(truncatingIfNeeded: try reader.nextI32()))
        case .u8: return .u8(UInt8(truncatingIfNeeded: try reader.nextI32()))
        case .s16: return .s16(Int16(truncatingIfNeeded: try reader.nextI32()))
        case .u16: return .u16(UInt16(truncatingIfNeeded: try reader.nextI32()))
        case .s32: return .s32(Int32(bitPattern: try reader.nextI32()))
        case .u32: return .u32(try reader.nextI32())
        case .s64, .u64:
            guard case .i64(let bits) = try reader.next(.i64) else { return .u64(0) }
            return type == .s64 ? .s64(Int64(bitPattern: bits)) : .u64(bits)
        case .f32:
            guard case .f32(let bits) = try reader.next(.f32) else { return .f32(0) }
            return .f32(Float(bitPattern: bits))
        case .f64:
            guard case .f64(let bits) = try reader.next(.f64) else { return .f64(0) }
            return .f64(Double(bitPattern: bits))
        case .char: return .char(try Self.char(try reader.nextI32()))
        case .string:
            let pointer = try reader.nextI32()
            return .string(try loadString(pointer, length: try reader.nextI32()))
        case .list(let element):
            let pointer = try reader.nextI32()
            return try loadList(element, pointer, length: try reader.nextI32())
        case .record(let fields):
            var values: [ComponentValue] = []
            values.reserveCapacity(fields.count)
            for field in fields { values.append(try liftFlat(field.type, &reader)) }
            return .record(values)
        case .tuple(let types):
            var values: [ComponentValue] = []
            for element in types { values.append(try liftFlat(element, &reader)) }
            return .tuple(values)
        case .variant, .enumeration, .option, .result:
            return try liftFlat(type, layout: CanonicalLayout.VariantLayout(type), &reader)
        case .flags(let names):
            var words: [UInt32] = []
            for _ in 0..<CanonicalLayout.flagsWordCount(names.count) { words.append(try reader.nextI32()) }
            return Self.flagsValue(names, words)
        case .own(let resource): return .own(try liftOwn(resource, handle: try reader.nextI32()))
        case .borrow(let resource): return .borrow(try liftBorrow(resource, handle: try reader.nextI32()))
        }
    }

    /// Lifts a variant-like value (variant, enum, option, result) with its layout worked out
    /// beforehand, as functions do for their top-level parameters and results.
    mutating func liftFlat(_ type: ComponentValueType, layout: CanonicalLayout.VariantLayout, _ reader: inout FlatValueReader) throws -> ComponentValue {
        let discriminant = try reader.nextI32()
        guard Int(discriminant) < layout.cases.count else {
            throw ComponentError.abi("discriminant \(discriminant) out of range for \(type) (\(layout.cases.count) cases)")
        }
        // The joined slots are read (and checked) whatever the case; the case's payload reads
        // its own flat values from the front of them, each coerced back from the joined type.
        var slots: [Value] = []
        slots.reserveCapacity(layout.joined.count)
        for flat in layout.joined { slots.append(try reader.next(flat)) }
        var payload: ComponentValue?
        if let payloadType = layout.cases[Int(discriminant)] {
            let wanted = layout.caseFlats[Int(discriminant)]
            for (index, want) in wanted.enumerated() {
                slots[index] = Self.coerceFromJoined(slots[index], to: want)
            }
            payload = try slots.withUnsafeBufferPointer { buffer in
                var payloadReader = FlatValueReader(UnsafeBufferPointer(rebasing: buffer[0..<wanted.count]))
                return try liftFlat(payloadType, &payloadReader)
            }
        }
        return Self.variantValue(type, Int(discriminant), payload)
    }

    mutating func load(_ type: ComponentValueType, at pointer: UInt32) throws -> ComponentValue {
        let memory = try requireMemory(for: "reading a \(type)")
        guard Int(pointer) % CanonicalLayout.alignment(type) == 0 else {
            throw ComponentError.abi("pointer 0x\(String(pointer, radix: 16)) to \(type) is not aligned to \(CanonicalLayout.alignment(type))")
        }
        switch type {
        case .bool: return .bool(try memory.load(pointer, as: UInt8.self) != 0)
        case .s8: return .s8(try memory.load(pointer))
        case .u8: return .u8(try memory.load(pointer))
        case .s16: return .s16(try memory.load(pointer))
        case .u16: return .u16(try memory.load(pointer))
        case .s32: return .s32(try memory.load(pointer))
        case .u32: return .u32(try memory.load(pointer))
        case .s64: return .s64(try memory.load(pointer))
        case .u64: return .u64(try memory.load(pointer))
        case .f32: return .f32(Float(bitPattern: try memory.load(pointer)))
        case .f64: return .f64(Double(bitPattern: try memory.load(pointer)))
        case .char: return .char(try Self.char(try memory.load(pointer)))
        case .string:
            return .string(try loadString(try memory.load(pointer), length: try memory.load(pointer &+ 4)))
        case .list(let element):
            return try loadList(element, try memory.load(pointer), length: try memory.load(pointer &+ 4))
        case .record(let fields):
            var values: [ComponentValue] = []
            var offset = 0
            for field in fields {
                offset = CanonicalLayout.alignTo(offset, CanonicalLayout.alignment(field.type))
                values.append(try load(field.type, at: try Self.advance(pointer, offset)))
                offset += CanonicalLayout.size(field.type)
            }
            return .record(values)
        case .tuple(let types):
            var values: [ComponentValue] = []
            var offset = 0
            for element in types {
                offset = CanonicalLayout.alignTo(offset, CanonicalLayout.alignment(element))
                values.append(try load(element, at: try Self.advance(pointer, offset)))
                offset += CanonicalLayout.size(element)
            }
            return .tuple(values)
        case .variant, .enumeration, .option, .result:
            let caseCount = CanonicalLayout.caseCount(type)
            let discriminant: UInt32
            switch CanonicalLayout.discriminantSize(caseCount) {
            case 1: discriminant = UInt32(try memory.load(pointer, as: UInt8.self))
            case 2: discriminant = UInt32(try memory.load(pointer, as: UInt16.self))
            default: discriminant = try memory.load(pointer, as: UInt32.self)
            }
            guard Int(discriminant) < caseCount else {
                throw ComponentError.abi("discriminant \(discriminant) out of range for \(type) (\(caseCount) cases)")
            }
            var payload: ComponentValue?
            if let payloadType = CanonicalLayout.casePayload(type, Int(discriminant)) {
                payload = try load(payloadType, at: try Self.advance(pointer, CanonicalLayout.payloadOffset(type)))
            }
            return Self.variantValue(type, Int(discriminant), payload)
        case .flags(let names):
            var words: [UInt32] = []
            switch CanonicalLayout.size(type) {
            case 0: break
            case 1: words = [UInt32(try memory.load(pointer, as: UInt8.self))]
            case 2: words = [UInt32(try memory.load(pointer, as: UInt16.self))]
            default:
                for index in 0..<CanonicalLayout.flagsWordCount(names.count) {
                    words.append(try memory.load(try Self.advance(pointer, index * 4), as: UInt32.self))
                }
            }
            return Self.flagsValue(names, words)
        case .own(let resource): return .own(try liftOwn(resource, handle: try memory.load(pointer)))
        case .borrow(let resource): return .borrow(try liftBorrow(resource, handle: try memory.load(pointer)))
        }
    }

    func loadString(_ pointer: UInt32, length: UInt32) throws -> String {
        let memory = try requireMemory(for: "a string")
        let bytes = try memory.bytes(pointer, Int(length))
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw ComponentError.abi("string at 0x\(String(pointer, radix: 16)) (\(length) bytes) is not valid UTF-8")
        }
        return string
    }

    mutating func loadList(_ element: ComponentValueType, _ pointer: UInt32, length: UInt32) throws -> ComponentValue {
        let memory = try requireMemory(for: "a list")
        let elementSize = CanonicalLayout.size(element)
        let alignment = CanonicalLayout.alignment(element)
        guard Int(pointer) % alignment == 0 else {
            throw ComponentError.abi("list pointer 0x\(String(pointer, radix: 16)) is not aligned to \(alignment)")
        }
        let (byteCount, overflow) = Int(length).multipliedReportingOverflow(by: elementSize)
        guard !overflow else { throw ComponentError.abi("list length \(length) overflows") }
        _ = try memory.checkRange(pointer, byteCount)
        // Zero-sized elements take no memory, so the bounds check cannot limit their count.
        guard elementSize > 0 || length <= 1 << 20 else {
            throw ComponentError.abi("list of \(length) zero-sized elements is too long")
        }
        switch element {
        // The packed spellings: one copy out of guest memory, no value per element.
        case .u8: return .byteList(try memory.bytes(pointer, Int(length)))
        case .f32: return .float32List(try memory.floats(pointer, count: Int(length)))
        default:
            var values: [ComponentValue] = []
            values.reserveCapacity(Int(length))
            for index in 0..<Int(length) {
                values.append(try load(element, at: pointer + UInt32(index * elementSize)))
            }
            return .list(values)
        }
    }

    mutating func liftOwn(_ resource: ResourceType, handle: UInt32) throws -> ResourceHandle {
        let entry = try state.handles.get(handle)
        guard entry.resource == resource else {
            throw ComponentError.abi("handle \(handle) is a \(entry.resource), not a \(resource)")
        }
        guard entry.isOwn else { throw ComponentError.abi("handle \(handle) is a borrow where an own<\(resource.name)> was expected") }
        guard entry.lendCount == 0 else { throw ComponentError.abi("handle \(handle) of \(resource) is moved while still lent") }
        _ = try state.handles.remove(handle)
        return ResourceHandle(type: resource, rep: entry.rep)
    }

    mutating func liftBorrow(_ resource: ResourceType, handle: UInt32) throws -> ResourceHandle {
        let entry = try state.handles.get(handle)
        guard entry.resource == resource else {
            throw ComponentError.abi("handle \(handle) is a \(entry.resource), not a \(resource)")
        }
        if entry.isOwn {
            try state.handles.update(handle) { $0.lendCount += 1 }
            borrowedFromGuest.append(handle)
        }
        return ResourceHandle(type: resource, rep: entry.rep)
    }

    static func advance(_ pointer: UInt32, _ offset: Int) throws -> UInt32 {
        let (sum, overflow) = pointer.addingReportingOverflow(UInt32(truncatingIfNeeded: offset))
        guard !overflow, offset <= Int(UInt32.max) else { throw ComponentError.abi("pointer arithmetic overflows 32 bits") }
        return sum
    }

    static func char(_ code: UInt32) throws -> Unicode.Scalar {
        guard let scalar = Unicode.Scalar(code) else {
            throw ComponentError.abi("0x\(String(code, radix: 16)) is not a Unicode scalar value (char)")
        }
        return scalar
    }

    /// A joined flat slot converted back to the type a particular case wants.
    static func coerceFromJoined(_ value: Value, to want: CoreFlatType) -> Value {
        switch (value, want) {
        case (.i32(let x), .f32): return .f32(x)
        case (.i64(let x), .i32): return .i32(UInt32(truncatingIfNeeded: x))
        case (.i64(let x), .f32): return .f32(UInt32(truncatingIfNeeded: x))
        case (.i64(let x), .f64): return .f64(x)
        default: return value
        }
    }

    static func variantValue(_ type: ComponentValueType, _ index: Int, _ payload: ComponentValue?) -> ComponentValue {
        switch type {
        case .variant(let cases): return .variant(cases[index].name, payload)
        case .enumeration(let names): return .enumeration(names[index])
        case .option: return .option(index == 0 ? nil : payload)
        case .result: return index == 0 ? .ok(payload) : .error(payload)
        default: return .variant("\(index)", payload)
        }
    }

    static func flagsValue(_ names: [String], _ words: [UInt32]) -> ComponentValue {
        var set = Set<String>()
        for (index, name) in names.enumerated() where words[index / 32] & (1 << UInt32(index % 32)) != 0 {
            set.insert(name)
        }
        return .flags(set)
    }
}
