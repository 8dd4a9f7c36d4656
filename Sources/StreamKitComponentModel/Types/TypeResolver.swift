/// Turns type syntax into resolved types within a frame's type index space.
///
/// `bindResource` decides what an abstract resource export of an instance type
/// (`(export "r" (type (sub resource)))`) stands for: the host's resource of that name when
/// the instance type describes an import, a fresh type otherwise.
struct TypeResolver {
    var bindResource: (String) throws -> ResourceType

    static var fresh: TypeResolver { TypeResolver { ResourceType(name: $0) } }

    func resolve(_ syntax: ValueTypeSyntax, in frame: Frame) throws -> ComponentValueType {
        switch syntax {
        case .primitive(let primitive): return try Self.primitive(primitive)
        case .index(let index):
            guard Int(index) < frame.types.count else { throw ComponentError.link("type index \(index) is out of bounds") }
            switch frame.types[Int(index)] {
            case .value(let type): return type
            case .resource(let resource): throw ComponentError.link("\(resource) used as a value type (needs own<> or borrow<>)")
            default: throw ComponentError.link("type index \(index) is not a value type")
            }
        }
    }

    static func primitive(_ primitive: PrimitiveType) throws -> ComponentValueType {
        switch primitive {
        case .bool: return .bool
        case .s8: return .s8
        case .u8: return .u8
        case .s16: return .s16
        case .u16: return .u16
        case .s32: return .s32
        case .u32: return .u32
        case .s64: return .s64
        case .u64: return .u64
        case .f32: return .f32
        case .f64: return .f64
        case .char: return .char
        case .string: return .string
        case .errorContext: throw ComponentError.unsupported("error-context values are not supported")
        }
    }

    func resource(_ index: UInt32, in frame: Frame) throws -> ResourceType {
        guard Int(index) < frame.types.count, case .resource(let resource) = frame.types[Int(index)] else {
            throw ComponentError.link("own/borrow of type index \(index), which is not a resource type")
        }
        return resource
    }

    /// Types nest at most this deep (wasmtime's limit too); lifting recurses over the depth.
    static let maxDepth = 100
    /// Type trees are values, so a chain of `tuple<t, t>` definitions doubles in size at each
    /// step; refusing big trees keeps layout and lifting linear in the binary's size.
    static let maxNodes = 100_000

    /// Checks depth and size with a budget, so the check itself stays cheap on a hostile type.
    static func checkComplexity(_ type: ComponentValueType) throws {
        var budget = maxNodes
        func visit(_ type: ComponentValueType, _ depth: Int) throws {
            budget -= 1
            guard budget >= 0 else { throw ComponentError.unsupported("type has more than \(maxNodes) parts") }
            guard depth <= maxDepth else { throw ComponentError.unsupported("type nests deeper than \(maxDepth) levels") }
            switch type {
            case .list(let element), .option(let element): try visit(element, depth + 1)
            case .record(let fields): for field in fields { try visit(field.type, depth + 1) }
            case .tuple(let types): for element in types { try visit(element, depth + 1) }
            case .variant(let cases): for case let payload? in cases.map(\.type) { try visit(payload, depth + 1) }
            case .result(let ok, let error):
                if let ok { try visit(ok, depth + 1) }
                if let error { try visit(error, depth + 1) }
            default: break
            }
        }
        try visit(type, 0)
    }

    func resolve(_ syntax: DefinedValueTypeSyntax, in frame: Frame) throws -> ComponentValueType {
        let type = try resolveUnchecked(syntax, in: frame)
        try Self.checkComplexity(type)
        return type
    }

    private func resolveUnchecked(_ syntax: DefinedValueTypeSyntax, in frame: Frame) throws -> ComponentValueType {
        switch syntax {
        case .primitive(let primitive): return try Self.primitive(primitive)
        case .record(let fields): return .record(try fields.map { .init($0.label, try resolve($0.type, in: frame)) })
        case .variant(let cases): return .variant(try cases.map { .init($0.label, try $0.type.map { try resolve($0, in: frame) }) })
        case .list(let element): return .list(try resolve(element, in: frame))
        case .fixedList: throw ComponentError.unsupported("fixed-length lists are not supported")
        case .tuple(let types): return .tuple(try types.map { try resolve($0, in: frame) })
        case .flags(let names): return .flags(names)
        case .enum(let names): return .enumeration(names)
        case .option(let type): return .option(try resolve(type, in: frame))
        case .result(let ok, let error):
            return .result(ok: try ok.map { try resolve($0, in: frame) }, error: try error.map { try resolve($0, in: frame) })
        case .own(let index): return .own(try resource(index, in: frame))
        case .borrow(let index): return .borrow(try resource(index, in: frame))
        case .stream, .future: throw ComponentError.unsupported("async stream and future types are not supported")
        }
    }

    func resolve(_ syntax: FunctionTypeSyntax, in frame: Frame) throws -> ComponentFunctionType {
        guard !syntax.isAsync else { throw ComponentError.unsupported("async functions are not supported") }
        let type = ComponentFunctionType(
            parameters: try syntax.parameters.map { .init($0.label, try resolve($0.type, in: frame)) },
            results: try syntax.results.map { try resolve($0.type, in: frame) })
        try Self.checkComplexity(.tuple(type.parameters.map(\.type) + type.results))
        return type
    }

    /// Resolves a type definition that is not a resource definition (those need the instance).
    func resolve(_ syntax: TypeSyntax, in frame: Frame) throws -> ResolvedType {
        switch syntax {
        case .value(let value): return .value(try resolve(value, in: frame))
        case .function(let function): return .function(try resolve(function, in: frame))
        case .component: return .component
        case .instance(let declarations): return .instance(try instanceType(declarations, in: frame))
        case .resource: throw ComponentError.link("resource type defined inside a type declaration")
        }
    }

    func instanceType(_ declarations: [DeclarationSyntax], in parent: Frame) throws -> InstanceTypeInfo {
        let scope = Frame(parent: parent, arguments: nil)
        var declaredInstances: [InstanceTypeInfo] = []
        var exports: [(name: String, type: ExternTypeInfo)] = []
        var abstractResources: Set<ResourceType> = []
        for declaration in declarations {
            switch declaration {
            case .coreType: scope.coreTypeCount += 1
            case .type(let type): scope.types.append(try resolve(type, in: scope))
            case .alias(let alias):
                switch alias.target {
                case .outer(let count, let index):
                    guard alias.sort == .type else {
                        if alias.sort == .core(.type) { scope.coreTypeCount += 1; continue }
                        throw ComponentError.unsupported("outer alias of a \(alias.sort.name) in an instance type")
                    }
                    let outer = try scope.outer(count)
                    guard Int(index) < outer.types.count else { throw ComponentError.link("outer type alias index \(index) out of bounds") }
                    scope.types.append(outer.types[Int(index)])
                case .export(let instance, let name):
                    guard Int(instance) < declaredInstances.count, case .type(let type)? = declaredInstances[Int(instance)].export(name) else {
                        throw ComponentError.link("alias of `\(name)` from declared instance \(instance), which has no such type export")
                    }
                    scope.types.append(type)
                case .coreExport:
                    throw ComponentError.unsupported("core export alias in an instance type")
                }
            case .import(let item):
                // Only component types have imports; their internals matter to nobody here.
                if case .type = item.descriptor { scope.types.append(.resource(ResourceType(name: item.name))) }
            case .export(let name, let descriptor):
                switch descriptor {
                case .function(let index):
                    guard Int(index) < scope.types.count, case .function(let type) = scope.types[Int(index)] else {
                        throw ComponentError.link("export `\(name)` names type \(index), which is not a function type")
                    }
                    exports.append((name, .function(type)))
                case .type(.subResource):
                    let resource = try bindResource(name)
                    abstractResources.insert(resource)
                    scope.types.append(.resource(resource))
                    exports.append((name, .type(.resource(resource))))
                case .type(.equal(let index)):
                    guard Int(index) < scope.types.count else { throw ComponentError.link("export `\(name)` names type index \(index), out of bounds") }
                    scope.types.append(scope.types[Int(index)])
                    exports.append((name, .type(scope.types[Int(index)])))
                case .instance(let index):
                    guard Int(index) < scope.types.count, case .instance(let info) = scope.types[Int(index)] else {
                        throw ComponentError.link("export `\(name)` names type \(index), which is not an instance type")
                    }
                    declaredInstances.append(info)
                    exports.append((name, .instance(info)))
                case .component: exports.append((name, .component))
                case .coreModule: exports.append((name, .coreModule))
                case .value: exports.append((name, .value))
                }
            }
        }
        return InstanceTypeInfo(exports: exports, abstractResources: abstractResources)
    }
}
