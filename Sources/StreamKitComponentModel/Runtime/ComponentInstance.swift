// The store's resource limiter is SPI in WasmKit 0.4.2 ("consider making this public"); it is the
// only way to cap memory growth, so this file opts in.
@_spi(Fuzzing) import WasmKit

/// An instantiated component: its core modules instantiated and wired, its imports bound to
/// the host, its exports callable.
///
/// Not Sendable: like WasmKit's `Store`, an instance belongs to one thread or executor at a time.
///
/// ```swift
/// let engine = ComponentEngine()
/// let instance = try ComponentInstance(component, linker: linker, engine: engine)
/// let greet = try instance.function("greet", in: "example:demo/api@0.1.0")
/// let result = try instance.call(greet, [.string("world")])
/// ```
public final class ComponentInstance {
    let state: InstanceState
    private let exports: [String: ComponentItem]

    /// Instantiates a component, resolving every import against `linker` and checking its type.
    /// - Parameters:
    ///   - limits: the CPU budget per call and the memory cap. Instantiation (with any core
    ///     start functions) gets the start-up budget and the memory cap.
    /// - Throws: ``ComponentError`` with code `.link` when an import is missing or its type
    ///   differs from the host's (the message says what differs), `.unsupported` for features
    ///   this host lacks, or the error of a trapping start function.
    public init(_ component: Component, linker: ComponentLinker, engine: ComponentEngine, limits: ComponentLimits = ComponentLimits()) throws {
        let store = Store(engine: engine.engine)
        let cap = MemoryCap(limit: limits.memoryLimit)
        store.resourceLimiter = cap
        state = InstanceState(store: store, limits: limits, memoryCap: cap)
        // Core start functions run during instantiation, under the start-up budget.
        let state = self.state
        let frame = try state.withCallBudget("instantiation", startup: true) {
            try Instantiator(linker: linker, state: state).instantiate(component.parsed, parent: nil, arguments: nil)
        }
        var exports: [String: ComponentItem] = [:]
        for export in frame.exports { exports[export.name] = export.item }
        self.exports = exports
    }

    /// Finds an exported function.
    /// - Parameters:
    ///   - name: the function's name (`metadata`, `[constructor]node-instance`, ...).
    ///   - interface: the exported interface (`streamkit:plugin/node@0.1.0`), or `nil` for a
    ///     function the component exports directly.
    ///   - expected: the type the host was written against; if given and the export's type
    ///     differs, a `.link` error says what differs.
    public func function(_ name: String, in interface: String? = nil, expecting expected: ComponentFunctionType? = nil) throws -> ComponentFunction {
        let item: ComponentItem?
        if let interface {
            guard case .instance(let instance)? = exports[interface] else {
                throw ComponentError.usage("the component exports no interface `\(interface)` (exports: \(exports.keys.sorted().joined(separator: ", ")))")
            }
            item = instance.exports[name]
        } else {
            item = exports[name]
        }
        guard case .function(let value)? = item else {
            throw ComponentError.usage("the component exports no function `\(name)`\(interface.map { " in `\($0)`" } ?? "")")
        }
        let qualified = interface.map { "\($0)#\(name)" } ?? name
        if let expected, let difference = TypeComparison.difference(component: value.type, host: expected) {
            throw ComponentError.link("export `\(qualified)`: \(difference)")
        }
        return ComponentFunction(value: value, name: qualified)
    }

    /// Finds a resource type the component exports from an interface (e.g. `node-instance`).
    public func resource(_ name: String, in interface: String) -> ResourceType? {
        guard case .instance(let instance)? = exports[interface], case .type(.resource(let resource))? = instance.exports[name] else { return nil }
        return resource
    }

    /// The export names of the instance, for diagnostics.
    public var exportNames: [String] { exports.keys.sorted() }

    /// Calls an exported function with typed values and returns its results (none or one).
    ///
    /// The call gets the CPU budget of the instance's limits.
    /// - Throws: ``ComponentError``: `.usage` if the values do not fit the function's type,
    ///   `.trap`, `.canonicalABI`, `.cpuBudgetExceeded`, `.memoryLimitExceeded`, `.host` or
    ///   `.exit` if the call failed.
    /// - Parameter startup: give the call ``ComponentLimits/startupBudget`` instead of the per-call
    ///   budget (for one-time set-up such as a constructor that starts a language runtime).
    public func call(_ function: ComponentFunction, _ arguments: [ComponentValue] = [], startup: Bool = false) throws -> [ComponentValue] {
        try state.withCallBudget(function.name, startup: startup) { try function.value.call(arguments) }
    }

    /// Ends an owned resource the host holds (e.g. one returned by a constructor), running
    /// its destructor.
    public func drop(_ handle: ResourceHandle) throws {
        try state.withCallBudget("drop \(handle.type.name)") { try state.destroy(rep: handle.rep, of: handle.type) }
    }

    /// Bytes currently used by the instance's handle table entries (live handles).
    public var liveHandleCount: Int { state.handles.liveCount }
}

/// An exported function of a ``ComponentInstance``.
public struct ComponentFunction {
    let value: ComponentFunctionValue
    /// `interface#name`, or the plain name of a root function.
    public let name: String
    /// The function's component-level type.
    public var type: ComponentFunctionType { value.type }
}
