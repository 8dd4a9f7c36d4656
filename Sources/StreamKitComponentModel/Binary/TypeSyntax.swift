/// Primitive value types and their binary codes (`primvaltype`).
public enum PrimitiveType: UInt8, Sendable, Hashable {
    case bool = 0x7f, s8 = 0x7e, u8 = 0x7d, s16 = 0x7c, u16 = 0x7b, s32 = 0x7a, u32 = 0x79
    case s64 = 0x78, u64 = 0x77, f32 = 0x76, f64 = 0x75, char = 0x74, string = 0x73
    case errorContext = 0x64
}

/// A `valtype` reference: either a primitive or an index into the current type index space.
enum ValueTypeSyntax: Sendable {
    case primitive(PrimitiveType)
    case index(UInt32)
}

/// `defvaltype`, with indices still unresolved.
enum DefinedValueTypeSyntax: Sendable {
    case primitive(PrimitiveType)
    case record([(label: String, type: ValueTypeSyntax)])
    case variant([(label: String, type: ValueTypeSyntax?)])
    case list(ValueTypeSyntax)
    case fixedList(ValueTypeSyntax, UInt32)
    case tuple([ValueTypeSyntax])
    case flags([String])
    case `enum`([String])
    case option(ValueTypeSyntax)
    case result(ok: ValueTypeSyntax?, error: ValueTypeSyntax?)
    case own(UInt32)
    case borrow(UInt32)
    case stream(ValueTypeSyntax?)
    case future(ValueTypeSyntax?)
}

struct FunctionTypeSyntax: Sendable {
    var parameters: [(label: String, type: ValueTypeSyntax)]
    var results: [(label: String?, type: ValueTypeSyntax)]
    var isAsync: Bool
}

/// A declaration inside an instance type (and, with imports, a component type).
enum DeclarationSyntax: Sendable {
    case coreType(CoreTypeSyntax)
    case type(TypeSyntax)
    case alias(Alias)
    case `import`(ImportSyntax)
    case export(name: String, descriptor: ExternDescriptor)
}

/// `type` (a component-level type definition).
indirect enum TypeSyntax: Sendable {
    case value(DefinedValueTypeSyntax)
    case function(FunctionTypeSyntax)
    case component([DeclarationSyntax])
    case instance([DeclarationSyntax])
    /// `(resource (rep i32) (dtor f)?)`: a resource type defined by this component.
    case resource(destructor: UInt32?)
}

/// `core:type`: a core function type or a core module type (kept only as far as needed).
enum CoreTypeSyntax: Sendable {
    case function
    case module
}
