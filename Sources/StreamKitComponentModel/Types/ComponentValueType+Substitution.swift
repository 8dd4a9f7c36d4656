// Replacing resource types, used when an instance type's abstract resources are bound to
// the host's definitions.
extension ComponentValueType {
    func substituting(_ map: [ResourceType: ResourceType]) -> ComponentValueType {
        if map.isEmpty { return self }
        switch self {
        case .list(let element): return .list(element.substituting(map))
        case .record(let fields): return .record(fields.map { .init($0.name, $0.type.substituting(map)) })
        case .tuple(let types): return .tuple(types.map { $0.substituting(map) })
        case .variant(let cases): return .variant(cases.map { .init($0.name, $0.type?.substituting(map)) })
        case .option(let type): return .option(type.substituting(map))
        case .result(let ok, let error): return .result(ok: ok?.substituting(map), error: error?.substituting(map))
        case .own(let resource): return .own(map[resource] ?? resource)
        case .borrow(let resource): return .borrow(map[resource] ?? resource)
        default: return self
        }
    }
}

extension ComponentFunctionType {
    func substituting(_ map: [ResourceType: ResourceType]) -> ComponentFunctionType {
        ComponentFunctionType(
            parameters: parameters.map { .init($0.name, $0.type.substituting(map)) },
            results: results.map { $0.substituting(map) })
    }
}

extension ResolvedType {
    func substituting(_ map: [ResourceType: ResourceType]) -> ResolvedType {
        switch self {
        case .value(let type): return .value(type.substituting(map))
        case .function(let type): return .function(type.substituting(map))
        case .resource(let resource): return .resource(map[resource] ?? resource)
        case .instance(let info):
            return .instance(InstanceTypeInfo(
                exports: info.exports.map { ($0.name, $0.type.substituting(map)) },
                abstractResources: Set(info.abstractResources.map { map[$0] ?? $0 })))
        case .component: return self
        }
    }
}

extension ExternTypeInfo {
    func substituting(_ map: [ResourceType: ResourceType]) -> ExternTypeInfo {
        switch self {
        case .function(let type): return .function(type.substituting(map))
        case .type(let type): return .type(type.substituting(map))
        case .instance(let info):
            return .instance(InstanceTypeInfo(
                exports: info.exports.map { ($0.name, $0.type.substituting(map)) },
                abstractResources: Set(info.abstractResources.map { map[$0] ?? $0 })))
        default: return self
        }
    }
}
