/// How many definitions each index space of one component (or type declaration) holds while
/// parsing, so references can be checked as they are read.
struct IndexSpaces {
    var coreFunctions: UInt32 = 0
    var coreTables: UInt32 = 0
    var coreMemories: UInt32 = 0
    var coreGlobals: UInt32 = 0
    var coreTags: UInt32 = 0
    var coreTypes: UInt32 = 0
    var coreModules: UInt32 = 0
    var coreInstances: UInt32 = 0
    var functions: UInt32 = 0
    var values: UInt32 = 0
    var types: UInt32 = 0
    var components: UInt32 = 0
    var instances: UInt32 = 0

    subscript(sort: Sort) -> UInt32 {
        get {
            switch sort {
            case .core(.function): return coreFunctions
            case .core(.table): return coreTables
            case .core(.memory): return coreMemories
            case .core(.global): return coreGlobals
            case .core(.tag): return coreTags
            case .core(.type): return coreTypes
            case .core(.module): return coreModules
            case .core(.instance): return coreInstances
            case .function: return functions
            case .value: return values
            case .type: return types
            case .component: return components
            case .instance: return instances
            }
        }
        set {
            switch sort {
            case .core(.function): coreFunctions = newValue
            case .core(.table): coreTables = newValue
            case .core(.memory): coreMemories = newValue
            case .core(.global): coreGlobals = newValue
            case .core(.tag): coreTags = newValue
            case .core(.type): coreTypes = newValue
            case .core(.module): coreModules = newValue
            case .core(.instance): coreInstances = newValue
            case .function: functions = newValue
            case .value: values = newValue
            case .type: types = newValue
            case .component: components = newValue
            case .instance: instances = newValue
            }
        }
    }

    mutating func add(_ sort: Sort, count: UInt32 = 1) {
        self[sort] += count
    }
}

extension Sort {
    var name: String {
        switch self {
        case .core(let core): return "core \(core.name)"
        case .function: return "func"
        case .value: return "value"
        case .type: return "type"
        case .component: return "component"
        case .instance: return "instance"
        }
    }
}

extension CoreSort {
    var name: String {
        switch self {
        case .function: return "func"
        case .table: return "table"
        case .memory: return "memory"
        case .global: return "global"
        case .tag: return "tag"
        case .type: return "type"
        case .module: return "module"
        case .instance: return "instance"
        }
    }
}
