import WasmKit

/// Walks a component's definitions in binary order and builds its index spaces: instantiating
/// core modules with WasmKit, wiring aliases, lifting and lowering functions, and resolving
/// imports against the host's ``ComponentLinker`` (checking their types as it goes).
struct Instantiator {
    let linker: ComponentLinker
    let state: InstanceState

    func instantiate(_ component: ParsedComponent, parent: Frame?, arguments: [String: ComponentItem]?) throws -> Frame {
        let frame = Frame(parent: parent, arguments: arguments)
        nameResources(component, frame)
        for (position, definition) in component.definitions.enumerated() {
            do {
                try define(definition, in: frame)
            } catch let error as ComponentError {
                throw ComponentError(error.code, "\(error.message) (definition \(position)\(parent == nil ? "" : " of a nested component"))")
            }
        }
        return frame
    }

    /// Guest resource types get the names they are exported or passed under, for messages.
    private func nameResources(_ component: ParsedComponent, _ frame: Frame) {
        for definition in component.definitions {
            switch definition {
            case .export(let export) where export.item.sort == .type:
                frame.resourceNames[export.item.index] = export.name
            case .instance(.instantiate(_, let arguments)):
                for argument in arguments where argument.item.sort == .type {
                    let name = argument.name.hasPrefix("import-type-") ? String(argument.name.dropFirst("import-type-".count)) : argument.name
                    frame.resourceNames[argument.item.index] = frame.resourceNames[argument.item.index] ?? name
                }
            default: break
            }
        }
    }

    private func define(_ definition: Definition, in frame: Frame) throws {
        switch definition {
        case .coreModule(let syntax):
            frame.coreModules.append(syntax.module)
        case .coreInstance(let expression):
            frame.coreInstances.append(try coreInstance(expression, in: frame))
        case .coreType:
            frame.coreTypeCount += 1
        case .component(let nested):
            frame.components.append(ComponentClosure(component: nested, parent: frame))
        case .instance(let expression):
            frame.instances.append(try instance(expression, in: frame))
        case .alias(let alias):
            try self.alias(alias, in: frame)
        case .type(let syntax):
            if case .resource(let destructor) = syntax {
                let resource = ResourceType(name: frame.resourceNames[UInt32(frame.types.count)] ?? "resource\(frame.types.count)")
                var destructorFunction: Function?
                if let destructor {
                    destructorFunction = try frame.coreFunctions.element(destructor, or: "resource destructor index \(destructor) out of bounds")
                }
                state.guestResources[resource] = .some(destructorFunction)
                frame.types.append(.resource(resource))
            } else {
                frame.types.append(try TypeResolver.fresh.resolve(syntax, in: frame))
            }
        case .canon(let canon):
            try self.canon(canon, in: frame)
        case .start:
            throw ComponentError.unsupported("component start functions are not supported")
        case .import(let syntax):
            try self.import(syntax, in: frame)
        case .export(let syntax):
            let item = try frame.item(syntax.item.sort, syntax.item.index)
            frame.exports.append((syntax.name, item))
            try frame.append(item, as: syntax.item.sort)
        }
    }

    // MARK: - Core instances

    private func coreInstance(_ expression: CoreInstanceExpression, in frame: Frame) throws -> CoreInstanceValue {
        switch expression {
        case .instantiate(let moduleIndex, let arguments):
            let module = try frame.coreModules.element(moduleIndex, or: "core module \(moduleIndex) out of bounds")
            var argumentInstances: [String: CoreInstanceValue] = [:]
            for argument in arguments {
                guard Int(argument.instance) < frame.coreInstances.count else {
                    throw ComponentError.link("core instance \(argument.instance) out of bounds")
                }
                argumentInstances[argument.name] = frame.coreInstances[Int(argument.instance)]
            }
            var imports = Imports()
            for entry in module.imports {
                guard let provider = argumentInstances[entry.module] else {
                    throw ComponentError.link("core module \(moduleIndex) imports `\(entry.module)::\(entry.name)` but no instance `\(entry.module)` is passed to it")
                }
                guard let value = provider.exports[entry.name] else {
                    throw ComponentError.link("core module \(moduleIndex) imports `\(entry.module)::\(entry.name)`, which instance `\(entry.module)` does not export")
                }
                imports.define(module: entry.module, name: entry.name, value)
            }
            let instance: Instance
            do {
                instance = try state.memoryCap.instantiating {
                    try module.instantiate(store: state.store, imports: imports)
                }
            } catch let error as ComponentError {
                throw error
            } catch {
                if let refused = state.memoryCap.takeExceeded() {
                    throw ComponentError(.memoryLimitExceeded, "memory limit of \(state.limits.memoryLimit) bytes exceeded instantiating core module \(moduleIndex) (the instance's memories would total \(refused) bytes)")
                }
                if let budget = state.cpuBudgetError(error, in: "start function of core module \(moduleIndex)") { throw budget }
                throw ComponentError(.link, "instantiating core module \(moduleIndex) failed: \(error)")
            }
            var exports: [String: ExternalValue] = [:]
            for (name, value) in instance.exports { exports[name] = value }
            return CoreInstanceValue(exports: exports)
        case .exports(let items):
            var exports: [String: ExternalValue] = [:]
            for item in items { exports[item.name] = try frame.coreExternal(item.item) }
            return CoreInstanceValue(exports: exports)
        }
    }

    // MARK: - Component instances

    private func instance(_ expression: InstanceExpression, in frame: Frame) throws -> ComponentInstanceValue {
        switch expression {
        case .instantiate(let componentIndex, let arguments):
            let closure = try frame.components.element(componentIndex, or: "component \(componentIndex) out of bounds")
            var items: [String: ComponentItem] = [:]
            for argument in arguments { items[argument.name] = try frame.item(argument.item.sort, argument.item.index) }
            let nested = try instantiate(closure.component, parent: closure.parent, arguments: items)
            var exports: [String: ComponentItem] = [:]
            for export in nested.exports { exports[export.name] = export.item }
            return ComponentInstanceValue(exports: exports)
        case .exports(let items):
            var exports: [String: ComponentItem] = [:]
            for item in items { exports[item.name] = try frame.item(item.item.sort, item.item.index) }
            return ComponentInstanceValue(exports: exports)
        }
    }

    // MARK: - Aliases

    private func alias(_ alias: Alias, in frame: Frame) throws {
        switch alias.target {
        case .coreExport(let instance, let name):
            guard let value = try frame.coreInstances.element(instance, or: "core instance \(instance) out of bounds").exports[name] else {
                throw ComponentError.link("core instance \(instance) has no export `\(name)`")
            }
            guard case .core(let sort) = alias.sort else { throw ComponentError.link("core export alias with a component sort") }
            try frame.appendCore(value, as: sort, name: name)
        case .export(let instance, let name):
            guard let item = try frame.instances.element(instance, or: "instance \(instance) out of bounds").exports[name] else {
                throw ComponentError.link("instance \(instance) has no export `\(name)`")
            }
            try frame.append(item, as: alias.sort)
        case .outer(let count, let index):
            let outer = try frame.outer(count)
            switch alias.sort {
            case .type:
                frame.types.append(try outer.types.element(index, or: "outer type \(index) out of bounds"))
            case .component:
                frame.components.append(try outer.components.element(index, or: "outer component \(index) out of bounds"))
            case .core(.module):
                frame.coreModules.append(try outer.coreModules.element(index, or: "outer core module \(index) out of bounds"))
            case .core(.type):
                frame.coreTypeCount += 1
            default:
                throw ComponentError.link("outer alias of a \(alias.sort.name)")
            }
        }
    }

    // MARK: - Canon

    private func options(_ options: CanonicalOptions, in frame: Frame, for what: String) throws -> (Memory?, Function?, Function?) {
        guard options.stringEncoding == .utf8 else {
            throw ComponentError.unsupported("\(what) uses \(options.stringEncoding == .utf16 ? "utf16" : "latin1+utf16") strings; only utf8 is supported")
        }
        guard !options.isAsync, options.callback == nil else { throw ComponentError.unsupported("\(what) is async; only synchronous calls are supported") }
        func core(_ index: UInt32?) throws -> Function? {
            guard let index else { return nil }
            return try frame.coreFunctions.element(index, or: "core func \(index) out of bounds in options of \(what)")
        }
        var memory: Memory?
        if let index = options.memory {
            memory = try frame.coreMemories.element(index, or: "core memory \(index) out of bounds in options of \(what)")
        }
        return (memory, try core(options.realloc), try core(options.postReturn))
    }

    private func resourceType(_ index: UInt32, in frame: Frame) throws -> ResourceType {
        guard Int(index) < frame.types.count, case .resource(let resource) = frame.types[Int(index)] else {
            throw ComponentError.link("canon resource built-in on type \(index), which is not a resource type")
        }
        return resource
    }

    private func canon(_ canon: Canon, in frame: Frame) throws {
        switch canon {
        case .lift(let coreIndex, let options, let typeIndex):
            guard Int(coreIndex) < frame.coreFunctions.count else { throw ComponentError.link("canon lift of core func \(coreIndex), out of bounds") }
            guard Int(typeIndex) < frame.types.count, case .function(let type) = frame.types[Int(typeIndex)] else {
                throw ComponentError.link("canon lift with type \(typeIndex), which is not a function type")
            }
            let name = "lifted func \(frame.functions.count)"
            let (memory, realloc, postReturn) = try self.options(options, in: frame, for: name)
            let core = frame.coreFunctions[Int(coreIndex)]
            let expected = CanonicalLayout.coreSignature(type, direction: .lift)
            let actual = core.type
            guard actual.parameters == expected.parameters.map(\.wasmType), actual.results == expected.results.map(\.wasmType) else {
                throw ComponentError.link(
                    "core function for \(type) has signature \(actual.parameters) -> \(actual.results), the canonical ABI needs \(expected.parameters.map(\.wasmType)) -> \(expected.results.map(\.wasmType))")
            }
            frame.functions.append(ComponentFunctionValue(
                name: name, type: type,
                kind: .lifted(.init(core: core, memory: memory, realloc: realloc, postReturn: postReturn)), state: state))
        case .lower(let functionIndex, let options):
            let function = try frame.functions.element(functionIndex, or: "canon lower of func \(functionIndex), out of bounds")
            let (memory, realloc, _) = try self.options(options, in: frame, for: "`\(function.name)`")
            frame.coreFunctions.append(function.lowered(memory: memory, realloc: realloc, state: state))
        case .resourceNew(let typeIndex):
            let resource = try resourceType(typeIndex, in: frame)
            guard state.isDefinedByGuest(resource) else { throw ComponentError.link("resource.new of \(resource), which this component does not define") }
            frame.coreFunctions.append(Function(store: state.store, parameters: [.i32], results: [.i32]) { [weak state] _, arguments in
                guard let state, case .i32(let rep) = arguments.first else { return [.i32(0)] }
                return [.i32(try state.handles.add(.init(resource: resource, rep: rep, isOwn: true)))]
            })
        case .resourceRep(let typeIndex):
            let resource = try resourceType(typeIndex, in: frame)
            guard state.isDefinedByGuest(resource) else { throw ComponentError.link("resource.rep of \(resource), which this component does not define") }
            frame.coreFunctions.append(Function(store: state.store, parameters: [.i32], results: [.i32]) { [weak state] _, arguments in
                guard let state, case .i32(let handle) = arguments.first else { return [.i32(0)] }
                let entry = try state.handles.get(handle)
                guard entry.resource == resource else {
                    throw ComponentError.abi("resource.rep: handle \(handle) is a \(entry.resource), not a \(resource)")
                }
                return [.i32(entry.rep)]
            })
        case .resourceDrop(let typeIndex):
            let resource = try resourceType(typeIndex, in: frame)
            frame.coreFunctions.append(Function(store: state.store, parameters: [.i32], results: []) { [weak state] _, arguments in
                guard let state, case .i32(let handle) = arguments.first else { return [] }
                try state.dropHandle(handle, of: resource)
                return []
            })
        }
    }

    // MARK: - Imports

    private func `import`(_ syntax: ImportSyntax, in frame: Frame) throws {
        if let arguments = frame.arguments {
            // A nested component: its imports are the instantiation arguments.
            guard let item = arguments[syntax.name] else {
                throw ComponentError.link("nested component import `\(syntax.name)` was not supplied")
            }
            if case .type(.equal(let index)) = syntax.descriptor, case .type = item {
                guard Int(index) < frame.types.count else { throw ComponentError.link("type bound \(index) out of bounds") }
            }
            try frame.append(item, as: syntax.descriptor.sort)
            return
        }
        switch syntax.descriptor {
        case .instance(let typeIndex):
            guard case .instance(let declared) = try frame.types.element(typeIndex, or: "import `\(syntax.name)` has type \(typeIndex), out of bounds") else {
                throw ComponentError.link("import `\(syntax.name)` is an instance whose type \(typeIndex) is not an instance type")
            }
            frame.instances.append(try hostInstance(named: syntax.name, declared: declared, typeIndex: typeIndex, in: frame))
        case .function(let typeIndex):
            guard Int(typeIndex) < frame.types.count, case .function(let type) = frame.types[Int(typeIndex)] else {
                throw ComponentError.link("import `\(syntax.name)` has type \(typeIndex), which is not a function type")
            }
            guard let definition = linker.rootFunctions[syntax.name] else {
                throw ComponentError.link("import `\(syntax.name)`: the host has no such function")
            }
            if let hostType = definition.type, let difference = TypeComparison.difference(component: type, host: hostType) {
                throw ComponentError.link("import `\(syntax.name)`: \(difference)")
            }
            let body = definition.body
            frame.functions.append(ComponentFunctionValue(name: syntax.name, type: type, kind: .host { try body(type, $0) }, state: state))
        case .type(.subResource):
            throw ComponentError.link("import of resource type `\(syntax.name)` outside an interface is not supported")
        case .type(.equal(let index)):
            frame.types.append(try frame.types.element(index, or: "type import `\(syntax.name)` bound \(index) out of bounds"))
        case .coreModule, .component, .value:
            throw ComponentError.link("import `\(syntax.name)`: the host provides only instances and functions")
        }
    }

    /// Resolves an imported instance's type against the host interface of that name, binding
    /// its resource types to the host's and checking every function's type.
    private func hostInstance(named name: String, declared: InstanceTypeInfo, typeIndex: UInt32, in frame: Frame) throws -> ComponentInstanceValue {
        let needsHost = !declared.abstractResources.isEmpty || declared.exports.contains {
            if case .function = $0.type { return true } else { return false }
        }
        // An interface of type definitions only (e.g. `streamkit:plugin/types`) asks the host for
        // nothing, so it links even if the host never mentioned it.
        guard let interface = linker.lookup(name) ?? (needsHost ? nil : ComponentLinker.Interface()) else {
            throw ComponentError.link("import `\(name)`: the host does not provide this interface")
        }
        // The instance type was resolved with fresh abstract resources; now that we know the
        // host interface, each abstract resource export stands for the host's resource of
        // that name.
        var resourceMap: [ResourceType: ResourceType] = [:]
        for export in declared.exports {
            if case .type(.resource(let abstract)) = export.type, declared.abstractResources.contains(abstract) {
                guard let hostResource = interface.resources[export.name] else {
                    throw ComponentError.link("import `\(name)`: the host has no resource `\(export.name)`")
                }
                resourceMap[abstract] = hostResource.type
                state.hostDestructors[hostResource.type] = hostResource.destructor ?? { _ in }
            }
        }
        var exports: [String: ComponentItem] = [:]
        for export in declared.exports {
            switch export.type {
            case .function(let componentType):
                let type = componentType.substituting(resourceMap)
                guard let definition = interface.functions[export.name] else {
                    throw ComponentError.link("import `\(name)`: the host has no function `\(export.name)`")
                }
                if let hostType = definition.type, let difference = TypeComparison.difference(component: type, host: hostType) {
                    throw ComponentError.link("import `\(name)#\(export.name)`: \(difference)")
                }
                let body = definition.body
                exports[export.name] = .function(ComponentFunctionValue(
                    name: "\(name)#\(export.name)", type: type, kind: .host { try body(type, $0) }, state: state))
            case .type(let resolved):
                exports[export.name] = .type(resolved.substituting(resourceMap))
            default:
                throw ComponentError.link("import `\(name)`: export `\(export.name)` is not a function or type")
            }
        }
        return ComponentInstanceValue(exports: exports)
    }
}
