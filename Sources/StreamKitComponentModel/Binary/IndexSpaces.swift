/// How many definitions each index space of one component (or type declaration) holds while
/// parsing, so references can be checked as they are read.
struct IndexSpaces {
    /// Definitions per sort; a sort with none is absent.
    private var counts: [Sort: UInt32] = [:]

    subscript(sort: Sort) -> UInt32 {
        counts[sort, default: 0]
    }

    mutating func add(_ sort: Sort, count: UInt32 = 1) {
        counts[sort, default: 0] += count
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
