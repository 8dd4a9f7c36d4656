import WasmKit

// The component binary's definitions as written, before any type resolution or instantiation.
// Indices refer to the index spaces of the component (or type declaration) they appear in.

/// The sorts of core definitions (`core:sort`).
enum CoreSort: UInt8, Sendable {
    case function = 0x00, table = 0x01, memory = 0x02, global = 0x03, tag = 0x04
    case type = 0x10, module = 0x11, instance = 0x12
}

/// The sorts of component definitions (`sort`).
enum Sort: Sendable, Hashable {
    case core(CoreSort)
    case function, value, type, component, instance
}

struct SortIndex: Sendable {
    var sort: Sort
    var index: UInt32
}

struct CoreSortIndex: Sendable {
    var sort: CoreSort
    var index: UInt32
}

enum CoreInstanceExpression: Sendable {
    /// Instantiate core module `module` with the named core instances as its import modules.
    case instantiate(module: UInt32, arguments: [(name: String, instance: UInt32)])
    /// A bag of existing core definitions under new export names.
    case exports([(name: String, item: CoreSortIndex)])
}

enum InstanceExpression: Sendable {
    case instantiate(component: UInt32, arguments: [(name: String, item: SortIndex)])
    case exports([(name: String, item: SortIndex)])
}

enum AliasTarget: Sendable {
    case export(instance: UInt32, name: String)
    case coreExport(instance: UInt32, name: String)
    case outer(count: UInt32, index: UInt32)
}

struct Alias: Sendable {
    var sort: Sort
    var target: AliasTarget
}

enum StringEncoding: Sendable, Equatable {
    case utf8, utf16, latin1UTF16
}

struct CanonicalOptions: Sendable {
    var stringEncoding: StringEncoding = .utf8
    var memory: UInt32?
    var realloc: UInt32?
    var postReturn: UInt32?
    var isAsync = false
    var callback: UInt32?
}

enum Canon: Sendable {
    case lift(coreFunction: UInt32, options: CanonicalOptions, type: UInt32)
    case lower(function: UInt32, options: CanonicalOptions)
    case resourceNew(type: UInt32)
    case resourceDrop(type: UInt32)
    case resourceRep(type: UInt32)
}

enum TypeBound: Sendable {
    case equal(UInt32)
    case subResource
}

enum ExternDescriptor: Sendable {
    case coreModule(type: UInt32)
    case function(type: UInt32)
    case value(ValueBound)
    case type(TypeBound)
    case component(type: UInt32)
    case instance(type: UInt32)

    var sort: Sort {
        switch self {
        case .coreModule: return .core(.module)
        case .function: return .function
        case .value: return .value
        case .type: return .type
        case .component: return .component
        case .instance: return .instance
        }
    }
}

enum ValueBound: Sendable {
    case equal(UInt32)
    case type(ValueTypeSyntax)
}

struct ImportSyntax: Sendable {
    var name: String
    var descriptor: ExternDescriptor
}

struct ExportSyntax: Sendable {
    var name: String
    var item: SortIndex
    var ascribed: ExternDescriptor?
}

struct StartSyntax: Sendable {
    var function: UInt32
    var arguments: [UInt32]
    var resultCount: UInt32
}

/// One definition of a component, in binary order. Instantiation walks these in order, which is
/// exactly the order the index spaces are built in.
indirect enum Definition: Sendable {
    case coreModule(CoreModuleSyntax)
    case coreInstance(CoreInstanceExpression)
    case coreType(CoreTypeSyntax)
    case component(ParsedComponent)
    case instance(InstanceExpression)
    case alias(Alias)
    case type(TypeSyntax)
    case canon(Canon)
    case start(StartSyntax)
    case `import`(ImportSyntax)
    case export(ExportSyntax)
}

/// An embedded core module: its bytes, already parsed and validated by WasmKit.
struct CoreModuleSyntax: Sendable {
    // The offset is kept for error messages about this module.
    var module: Module
    var offset: Int
}
