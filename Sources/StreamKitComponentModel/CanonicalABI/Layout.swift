import WasmKit

/// The canonical ABI's size, alignment and flattening of value types.
enum CoreFlatType: Sendable, Equatable {
    case i32, i64, f32, f64

    var wasmType: WasmKit.ValueType {
        switch self {
        case .i32: return .i32
        case .i64: return .i64
        case .f32: return .f32
        case .f64: return .f64
        }
    }

    /// The type a variant uses for a flat slot two cases disagree on.
    static func join(_ a: CoreFlatType, _ b: CoreFlatType) -> CoreFlatType {
        if a == b { return a }
        if (a == .i32 && b == .f32) || (a == .f32 && b == .i32) { return .i32 }
        return .i64
    }
}

enum CanonicalLayout {
    static let maxFlatParameters = 16
    static let maxFlatResults = 1

    static func alignTo(_ value: Int, _ alignment: Int) -> Int {
        (value + alignment - 1) / alignment * alignment
    }

    static func discriminantSize(_ caseCount: Int) -> Int {
        caseCount <= 0x100 ? 1 : (caseCount <= 0x10000 ? 2 : 4)
    }

    static func flagsWordCount(_ count: Int) -> Int { (count + 31) / 32 }

    // Size and alignment are asked for on every crossing through memory (a `result` returned by
    // pointer, each field of a record), so they walk the type without building arrays.

    static func alignment(_ type: ComponentValueType) -> Int {
        switch type {
        case .bool, .s8, .u8: return 1
        case .s16, .u16: return 2
        case .s32, .u32, .f32, .char, .own, .borrow: return 4
        case .s64, .u64, .f64: return 8
        case .string, .list: return 4
        case .record(let fields):
            var result = 1
            for field in fields { result = max(result, alignment(field.type)) }
            return result
        case .tuple(let types):
            var result = 1
            for element in types { result = max(result, alignment(element)) }
            return result
        case .variant, .enumeration, .option, .result:
            return max(discriminantSize(caseCount(type)), payloadAlignment(type))
        case .flags(let names):
            if names.isEmpty { return 1 }
            return names.count <= 8 ? 1 : (names.count <= 16 ? 2 : 4)
        }
    }

    static func size(_ type: ComponentValueType) -> Int {
        switch type {
        case .bool, .s8, .u8: return 1
        case .s16, .u16: return 2
        case .s32, .u32, .f32, .char, .own, .borrow: return 4
        case .s64, .u64, .f64: return 8
        case .string, .list: return 8
        case .record(let fields):
            var offset = 0
            var maxAlignment = 1
            for field in fields {
                let a = alignment(field.type)
                offset = alignTo(offset, a) + size(field.type)
                maxAlignment = max(maxAlignment, a)
            }
            return alignTo(offset, maxAlignment)
        case .tuple(let types): return sizeOfSequence(types)
        case .variant, .enumeration, .option, .result:
            var largest = 0
            switch type {
            case .variant(let cases): for item in cases { if let payload = item.type { largest = max(largest, size(payload)) } }
            case .option(let payload): largest = size(payload)
            case .result(let ok, let error): largest = max(ok.map(size) ?? 0, error.map(size) ?? 0)
            default: break
            }
            return alignTo(payloadOffset(type) + largest, alignment(type))
        case .flags(let names):
            if names.isEmpty { return 0 }
            if names.count <= 8 { return 1 }
            if names.count <= 16 { return 2 }
            return 4 * flagsWordCount(names.count)
        }
    }

    /// How many cases a variant-like type has.
    static func caseCount(_ type: ComponentValueType) -> Int {
        switch type {
        case .variant(let cases): return cases.count
        case .enumeration(let names): return names.count
        case .option, .result: return 2
        default: return 0
        }
    }

    /// The payload type of case `index` of a variant-like type (`nil` for none or no such case).
    static func casePayload(_ type: ComponentValueType, _ index: Int) -> ComponentValueType? {
        switch type {
        case .variant(let cases): return index < cases.count ? cases[index].type : nil
        case .option(let payload): return index == 1 ? payload : nil
        case .result(let ok, let error): return index == 0 ? ok : (index == 1 ? error : nil)
        default: return nil
        }
    }

    /// The largest alignment of a variant-like type's payloads (1 with none).
    private static func payloadAlignment(_ type: ComponentValueType) -> Int {
        switch type {
        case .variant(let cases):
            var result = 1
            for item in cases { if let payload = item.type { result = max(result, alignment(payload)) } }
            return result
        case .option(let payload): return alignment(payload)
        case .result(let ok, let error): return max(ok.map(alignment) ?? 1, error.map(alignment) ?? 1)
        default: return 1
        }
    }

    static func sizeOfSequence(_ types: [ComponentValueType]) -> Int {
        var offset = 0
        var maxAlignment = 1
        for type in types {
            let a = alignment(type)
            offset = alignTo(offset, a) + size(type)
            maxAlignment = max(maxAlignment, a)
        }
        return alignTo(offset, maxAlignment)
    }

    /// Offset of the payload in a variant's memory layout.
    static func payloadOffset(_ type: ComponentValueType) -> Int {
        alignTo(discriminantSize(caseCount(type)), payloadAlignment(type))
    }

    /// The payload types of a variant-like type, one per case (`nil` for no payload).
    static func variantCases(_ type: ComponentValueType) -> [ComponentValueType?] {
        switch type {
        case .variant(let cases): return cases.map(\.type)
        case .enumeration(let names): return Array(repeating: nil, count: names.count)
        case .option(let payload): return [nil, payload]
        case .result(let ok, let error): return [ok, error]
        default: return []
        }
    }

    static func flatten(_ type: ComponentValueType) -> [CoreFlatType] {
        var out: [CoreFlatType] = []
        flatten(type, into: &out)
        return out
    }

    static func flatten(_ type: ComponentValueType, into out: inout [CoreFlatType]) {
        switch type {
        case .bool, .s8, .u8, .s16, .u16, .s32, .u32, .char, .own, .borrow: out.append(.i32)
        case .s64, .u64: out.append(.i64)
        case .f32: out.append(.f32)
        case .f64: out.append(.f64)
        case .string, .list: out.append(.i32); out.append(.i32)
        case .record(let fields): for field in fields { flatten(field.type, into: &out) }
        case .tuple(let types): for element in types { flatten(element, into: &out) }
        case .variant, .enumeration, .option, .result:
            out.append(.i32)
            out.append(contentsOf: flattenVariantPayload(type))
        case .flags(let names): out.append(contentsOf: Array(repeating: .i32, count: flagsWordCount(names.count)))
        }
    }

    /// The flat shape of a variant-like type (variant, enum, option, result): each case's
    /// payload type and flat values, and the joined payload slots all cases share.
    struct VariantLayout {
        let cases: [ComponentValueType?]
        /// The flat values of each case's payload (empty for no payload).
        let caseFlats: [[CoreFlatType]]
        let joined: [CoreFlatType]

        init(_ type: ComponentValueType) {
            cases = CanonicalLayout.variantCases(type)
            caseFlats = cases.map { $0.map(CanonicalLayout.flatten) ?? [] }
            var joined: [CoreFlatType] = []
            for flats in caseFlats {
                for (index, flat) in flats.enumerated() {
                    if index < joined.count {
                        joined[index] = CoreFlatType.join(joined[index], flat)
                    } else {
                        joined.append(flat)
                    }
                }
            }
            self.joined = joined
        }

        /// The layout when `type` is variant-like; `nil` otherwise.
        static func of(_ type: ComponentValueType) -> VariantLayout? {
            switch type {
            case .variant, .enumeration, .option, .result: VariantLayout(type)
            default: nil
            }
        }
    }

    static func flattenVariantPayload(_ type: ComponentValueType) -> [CoreFlatType] {
        VariantLayout(type).joined
    }

    /// The core-level shape of a component function: its flat parameters and results, and
    /// whether either crosses through memory instead (more than the flat limit).
    typealias CoreSignature = (parameters: [CoreFlatType], results: [CoreFlatType], parametersInMemory: Bool, resultsInMemory: Bool)

    /// The core signature of a lifted or lowered function, per `flatten_functype`.
    static func coreSignature(_ type: ComponentFunctionType, direction: Direction) -> CoreSignature {
        var parameters: [CoreFlatType] = []
        for parameter in type.parameters { flatten(parameter.type, into: &parameters) }
        var results: [CoreFlatType] = []
        for result in type.results { flatten(result, into: &results) }
        let parametersInMemory = parameters.count > maxFlatParameters
        if parametersInMemory { parameters = [.i32] }
        let resultsInMemory = results.count > maxFlatResults
        if resultsInMemory {
            switch direction {
            case .lift: results = [.i32]
            case .lower: parameters.append(.i32); results = []
            }
        }
        return (parameters, results, parametersInMemory, resultsInMemory)
    }

    enum Direction { case lift, lower }
}
