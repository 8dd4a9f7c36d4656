import WasmKit

/// A resolved type definition in a type index space.
enum ResolvedType {
    case value(ComponentValueType)
    case function(ComponentFunctionType)
    case instance(InstanceTypeInfo)
    case component
    case resource(ResourceType)
}

/// The exports of an instance type, resolved.
struct InstanceTypeInfo {
    var exports: [(name: String, type: ExternTypeInfo)]
    /// Resource types the instance type declares itself (`(export "r" (type (sub resource)))`),
    /// as opposed to types it re-exports with `eq` (e.g. `pollable` from `wasi:io/poll`).
    var abstractResources: Set<ResourceType> = []

    func export(_ name: String) -> ExternTypeInfo? { exports.first { $0.name == name }?.type }
}

enum ExternTypeInfo {
    case function(ComponentFunctionType)
    case type(ResolvedType)
    case instance(InstanceTypeInfo)
    case component
    case coreModule
    case value
}

/// A core instance at run time: a WasmKit instance's exports, or a bag of re-exported items.
struct CoreInstanceValue {
    var exports: [String: ExternalValue]
}

/// A component instance at run time (nested or imported): its exports by name.
struct ComponentInstanceValue {
    var exports: [String: ComponentItem]
}

/// A nested component waiting to be instantiated, with the scope its outer aliases see.
struct ComponentClosure {
    let component: ParsedComponent
    let parent: Frame
}

/// Anything a component-level index space can hold.
enum ComponentItem {
    case function(ComponentFunctionValue)
    case type(ResolvedType)
    case component(ComponentClosure)
    case instance(ComponentInstanceValue)
    case coreModule(Module)
    case coreFunction(Function)
    case coreExtern(ExternalValue)
    case value

    var sortName: String {
        switch self {
        case .function: return "func"
        case .type: return "type"
        case .component: return "component"
        case .instance: return "instance"
        case .coreModule: return "core module"
        case .coreFunction: return "core func"
        case .coreExtern: return "core item"
        case .value: return "value"
        }
    }
}

/// The index spaces of one component being instantiated (or of a type declaration, which
/// only uses the type spaces).
final class Frame {
    let parent: Frame?
    /// Instantiation arguments by import name (nested components only).
    let arguments: [String: ComponentItem]?

    var coreFunctions: [Function] = []
    var coreTables: [Table] = []
    var coreMemories: [Memory] = []
    var coreGlobals: [Global] = []
    var coreTags: [ExternalValue] = []
    var coreTypeCount = 0
    var coreModules: [Module] = []
    var coreInstances: [CoreInstanceValue] = []
    var functions: [ComponentFunctionValue] = []
    var valueCount = 0
    var types: [ResolvedType] = []
    var components: [ComponentClosure] = []
    var instances: [ComponentInstanceValue] = []
    var exports: [(name: String, item: ComponentItem)] = []
    /// Names for resource types defined here, taken from exports and instantiation arguments.
    var resourceNames: [UInt32: String] = [:]

    init(parent: Frame?, arguments: [String: ComponentItem]?) {
        self.parent = parent
        self.arguments = arguments
    }

    func outer(_ count: UInt32) throws -> Frame {
        var frame = self
        for _ in 0..<count {
            guard let parent = frame.parent else { throw ComponentError.link("outer alias reaches past the outermost component") }
            frame = parent
        }
        return frame
    }

    func item(_ sort: Sort, _ index: UInt32) throws -> ComponentItem {
        let i = Int(index)
        func check(_ count: Int) throws {
            guard i < count else { throw ComponentError.link("\(sort.name) index \(index) is out of bounds (\(count) defined)") }
        }
        switch sort {
        case .function: try check(functions.count); return .function(functions[i])
        case .type: try check(types.count); return .type(types[i])
        case .component: try check(components.count); return .component(components[i])
        case .instance: try check(instances.count); return .instance(instances[i])
        case .value: return .value
        case .core(.module): try check(coreModules.count); return .coreModule(coreModules[i])
        case .core(.function): try check(coreFunctions.count); return .coreFunction(coreFunctions[i])
        case .core(.memory): try check(coreMemories.count); return .coreExtern(.memory(coreMemories[i]))
        case .core(.table): try check(coreTables.count); return .coreExtern(.table(coreTables[i]))
        case .core(.global): try check(coreGlobals.count); return .coreExtern(.global(coreGlobals[i]))
        case .core(.tag): try check(coreTags.count); return .coreExtern(coreTags[i])
        case .core(.type), .core(.instance):
            throw ComponentError.unsupported("\(sort.name) cannot be passed between components here")
        }
    }

    func append(_ item: ComponentItem, as sort: Sort) throws {
        switch (sort, item) {
        case (.function, .function(let f)): functions.append(f)
        case (.type, .type(let t)): types.append(t)
        case (.component, .component(let c)): components.append(c)
        case (.instance, .instance(let i)): instances.append(i)
        case (.value, _): valueCount += 1
        case (.core(.module), .coreModule(let m)): coreModules.append(m)
        case (.core(.function), .coreFunction(let f)): coreFunctions.append(f)
        case (.core(.function), .coreExtern(.function(let f))): coreFunctions.append(f)
        case (.core(.memory), .coreExtern(.memory(let m))): coreMemories.append(m)
        case (.core(.table), .coreExtern(.table(let t))): coreTables.append(t)
        case (.core(.global), .coreExtern(.global(let g))): coreGlobals.append(g)
        case (.core(.tag), .coreExtern(let e)): coreTags.append(e)
        default:
            throw ComponentError.link("a \(item.sortName) where a \(sort.name) was expected")
        }
    }

    func appendCore(_ value: ExternalValue, as sort: CoreSort, name: String) throws {
        switch (sort, value) {
        case (.function, .function(let f)): coreFunctions.append(f)
        case (.memory, .memory(let m)): coreMemories.append(m)
        case (.table, .table(let t)): coreTables.append(t)
        case (.global, .global(let g)): coreGlobals.append(g)
        case (.tag, .tag): coreTags.append(value)
        default: throw ComponentError.link("core export `\(name)` is not a core \(sort.name)")
        }
    }

    func coreExternal(_ item: CoreSortIndex) throws -> ExternalValue {
        let i = Int(item.index)
        func check(_ count: Int) throws {
            guard i < count else { throw ComponentError.link("core \(item.sort.name) index \(item.index) is out of bounds") }
        }
        switch item.sort {
        case .function: try check(coreFunctions.count); return .function(coreFunctions[i])
        case .memory: try check(coreMemories.count); return .memory(coreMemories[i])
        case .table: try check(coreTables.count); return .table(coreTables[i])
        case .global: try check(coreGlobals.count); return .global(coreGlobals[i])
        case .tag: try check(coreTags.count); return coreTags[i]
        default: throw ComponentError.unsupported("core \(item.sort.name) in an inline core instance")
        }
    }
}
