import WasmKit

/// A component-level function at run time: a host function, or a core function lifted with
/// canonical options.
final class ComponentFunctionValue {
    enum Kind {
        case host(ComponentLinker.HostFunction)
        case lifted(LiftedFunction)
    }

    struct LiftedFunction {
        let core: Function
        let memory: Memory?
        let realloc: Function?
        let postReturn: Function?
    }

    let name: String
    let type: ComponentFunctionType
    let kind: Kind
    weak var state: InstanceState?
    /// The core signature of calling this function lifted (host → guest), worked out once
    /// rather than on every call.
    private let liftSignature: CanonicalLayout.CoreSignature
    /// The parameters and results as tuples, the shape they have when they cross in memory.
    private let parameterTuple: ComponentValueType
    private let resultTuple: ComponentValueType
    /// The layouts of variant-like parameters and results (a packet, a result), worked out once:
    /// recomputing them cost several allocations per call.
    private let parameterLayouts: [CanonicalLayout.VariantLayout?]
    private let resultLayouts: [CanonicalLayout.VariantLayout?]

    init(name: String, type: ComponentFunctionType, kind: Kind, state: InstanceState?) {
        self.name = name
        self.type = type
        self.kind = kind
        self.state = state
        liftSignature = CanonicalLayout.coreSignature(type, direction: .lift)
        parameterTuple = .tuple(type.parameters.map(\.type))
        resultTuple = .tuple(type.results)
        parameterLayouts = type.parameters.map { CanonicalLayout.VariantLayout.of($0.type) }
        resultLayouts = type.results.map { CanonicalLayout.VariantLayout.of($0) }
    }

    func call(_ arguments: [ComponentValue]) throws -> [ComponentValue] {
        guard arguments.count == type.parameters.count else {
            throw ComponentError.usage("`\(name)` takes \(type.parameters.count) arguments, got \(arguments.count)")
        }
        switch kind {
        case .host(let body):
            let results: [ComponentValue]
            do {
                results = try body(arguments)
            } catch let error as ComponentError {
                throw error
            } catch {
                throw ComponentError(.host, "host function `\(name)` failed: \(error)")
            }
            guard results.count == type.results.count else {
                throw ComponentError(.host, "host function `\(name)` returned \(results.count) values for \(type.results.count) results")
            }
            return results
        case .lifted(let lifted):
            guard let state else { throw ComponentError.usage("`\(name)` belongs to an instance that no longer exists") }
            return try callLifted(lifted, arguments, state: state)
        }
    }

    private func callLifted(_ lifted: LiftedFunction, _ arguments: [ComponentValue], state: InstanceState) throws -> [ComponentValue] {
        var context = CanonicalContext(memory: lifted.memory, realloc: lifted.realloc, state: state)
        do {
            return try callLifted(lifted, arguments, context: &context, state: state)
        } catch {
            context.abandon()
            throw error
        }
    }

    private func callLifted(
        _ lifted: LiftedFunction, _ arguments: [ComponentValue], context: inout CanonicalContext, state: InstanceState
    ) throws -> [ComponentValue] {
        let signature = liftSignature
        var flat: [Value] = []
        if signature.parametersInMemory {
            let tuple = parameterTuple
            let pointer = try context.allocate(size: CanonicalLayout.size(tuple), alignment: CanonicalLayout.alignment(tuple), for: "parameters of `\(name)`")
            try context.store(.tuple(arguments), tuple, at: pointer)
            flat = [.i32(pointer)]
        } else {
            flat.reserveCapacity(signature.parameters.count)
            for (index, (parameter, argument)) in zip(type.parameters, arguments).enumerated() {
                if let layout = parameterLayouts[index] {
                    try context.lowerFlat(argument, parameter.type, layout: layout, into: &flat)
                } else {
                    try context.lowerFlat(argument, parameter.type, into: &flat)
                }
            }
        }
        let coreResults = try state.invokeGuest(lifted.core, flat, name: name)
        var results: [ComponentValue] = []
        if signature.resultsInMemory {
            guard coreResults.count == 1, case .i32(let pointer) = coreResults[0] else {
                throw ComponentError.abi("`\(name)` returned \(coreResults) instead of a result pointer")
            }
            guard case .tuple(let values) = try context.load(resultTuple, at: pointer) else { return [] }
            results = values
        } else {
            try coreResults.withUnsafeBufferPointer { buffer in
                var reader = FlatValueReader(buffer)
                for (result, layout) in zip(type.results, resultLayouts) {
                    if let layout {
                        results.append(try context.liftFlat(result, layout: layout, &reader))
                    } else {
                        results.append(try context.liftFlat(result, &reader))
                    }
                }
            }
        }
        if let postReturn = lifted.postReturn {
            _ = try state.invokeGuest(postReturn, coreResults, name: "post-return of \(name)")
        }
        try context.finish()
        return results
    }

    /// The core function a guest calls to reach this function through `canon lower`.
    func lowered(memory: Memory?, realloc: Function?, state: InstanceState) -> Function {
        let signature = CanonicalLayout.coreSignature(type, direction: .lower)
        let name = self.name
        // The raw form: the engine's own parameter and result buffers, no arrays per call.
        return Function(
            store: state.store,
            parameters: signature.parameters.map(\.wasmType),
            results: signature.results.map(\.wasmType)
        ) { [self, weak state] _, coreArguments, coreResults in
            guard let state else { throw ComponentError.usage("`\(name)` called after its instance was released") }
            var context = CanonicalContext(memory: memory, realloc: realloc, state: state)
            do {
                let out = try self.callFromGuest(coreArguments, signature: signature, context: &context)
                guard out.count == coreResults.count else {
                    throw ComponentError.abi("`\(name)` produced \(out.count) core results for \(coreResults.count)")
                }
                for (index, value) in out.enumerated() { coreResults[index] = value }
            } catch {
                context.abandon()
                throw error
            }
        }
    }

    /// The body of a lowered function: lift the guest's arguments, call, lower the results.
    private func callFromGuest(
        _ coreArguments: UnsafeBufferPointer<Value>,
        signature: CanonicalLayout.CoreSignature,
        context: inout CanonicalContext
    ) throws -> [Value] {
        var arguments: [ComponentValue] = []
        var reader = FlatValueReader(coreArguments)
        if signature.parametersInMemory {
            let pointer = try reader.nextI32()
            guard case .tuple(let values) = try context.load(parameterTuple, at: pointer) else { return [] }
            arguments = values
        } else {
            for (parameter, layout) in zip(type.parameters, parameterLayouts) {
                if let layout {
                    arguments.append(try context.liftFlat(parameter.type, layout: layout, &reader))
                } else {
                    arguments.append(try context.liftFlat(parameter.type, &reader))
                }
            }
        }
        let results = try self.call(arguments)
        var out: [Value] = []
        if signature.resultsInMemory {
            let pointer = try reader.nextI32()
            try context.store(.tuple(results), resultTuple, at: pointer)
        } else {
            for (index, (result, value)) in zip(type.results, results).enumerated() {
                if let layout = resultLayouts[index] {
                    try context.lowerFlat(value, result, layout: layout, into: &out)
                } else {
                    try context.lowerFlat(value, result, into: &out)
                }
            }
        }
        try context.finish()
        return out
    }
}
