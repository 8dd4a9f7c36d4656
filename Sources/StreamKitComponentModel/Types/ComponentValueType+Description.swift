// WIT-like spelling of types, used in error messages and type diffs.
extension ComponentValueType: CustomStringConvertible {
    public var description: String {
        switch self {
        case .bool: return "bool"
        case .s8: return "s8"
        case .u8: return "u8"
        case .s16: return "s16"
        case .u16: return "u16"
        case .s32: return "s32"
        case .u32: return "u32"
        case .s64: return "s64"
        case .u64: return "u64"
        case .f32: return "f32"
        case .f64: return "f64"
        case .char: return "char"
        case .string: return "string"
        case .list(let element): return "list<\(element)>"
        case .record(let fields): return "record { \(fields.map { "\($0.name): \($0.type)" }.joined(separator: ", ")) }"
        case .tuple(let types): return "tuple<\(types.map(\.description).joined(separator: ", "))>"
        case .variant(let cases):
            let spelled = cases.map { c in c.type.map { "\(c.name)(\($0))" } ?? c.name }
            return "variant { \(spelled.joined(separator: ", ")) }"
        case .enumeration(let cases): return "enum { \(cases.joined(separator: ", ")) }"
        case .option(let type): return "option<\(type)>"
        case .result(let ok, let error):
            switch (ok, error) {
            case (nil, nil): return "result"
            case (let ok?, nil): return "result<\(ok)>"
            case (nil, let error?): return "result<_, \(error)>"
            case (let ok?, let error?): return "result<\(ok), \(error)>"
            }
        case .flags(let names): return "flags { \(names.joined(separator: ", ")) }"
        case .own(let resource): return "own<\(resource.name)>"
        case .borrow(let resource): return "borrow<\(resource.name)>"
        }
    }
}

extension ComponentFunctionType: CustomStringConvertible {
    public var description: String {
        let parameters = self.parameters.map { "\($0.name): \($0.type)" }.joined(separator: ", ")
        switch results.count {
        case 0: return "func(\(parameters))"
        case 1: return "func(\(parameters)) -> \(results[0])"
        default: return "func(\(parameters)) -> (\(results.map(\.description).joined(separator: ", ")))"
        }
    }
}
