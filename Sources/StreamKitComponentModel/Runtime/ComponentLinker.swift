/// The host's side of a component's imports: functions and resource types, grouped by
/// interface name (`wasi:cli/stdout@0.2.0`, `streamkit:plugin/host@0.1.0`).
///
/// Instantiation looks every import up here and compares its type with the one declared
/// here; a component built against a different WIT is refused with the difference.
/// Interface versions match semver-compatibly: a component asking for `@0.2.9` gets the
/// host's `@0.2.0` (same `0.2`), as wasmtime does.
///
/// ```swift
/// var linker = ComponentLinker()
/// linker.define(interface: "example:demo/log@0.1.0", function: "print",
///               type: ComponentFunctionType(parameters: [.init("message", .string)])) { arguments in
///     if case .string(let text) = arguments[0] { print(text) }
///     return []
/// }
/// ```
public struct ComponentLinker {
    /// A host function: receives lifted arguments, returns the results (none or one value).
    public typealias HostFunction = (_ arguments: [ComponentValue]) throws -> [ComponentValue]

    /// A host function that adapts to whatever type the component declares for it.
    public typealias AnyTypeHostFunction = (_ type: ComponentFunctionType, _ arguments: [ComponentValue]) throws -> [ComponentValue]

    struct FunctionDefinition {
        /// `nil` for a function defined with ``define(interface:function:acceptingAnyType:)``.
        var type: ComponentFunctionType?
        var body: AnyTypeHostFunction

        init(type: ComponentFunctionType, body: @escaping HostFunction) {
            self.type = type
            self.body = { _, arguments in try body(arguments) }
        }

        init(anyType body: @escaping AnyTypeHostFunction) {
            self.type = nil
            self.body = body
        }
    }

    struct ResourceDefinition {
        var type: ResourceType
        var destructor: ((UInt32) throws -> Void)?
    }

    struct Interface {
        var functions: [String: FunctionDefinition] = [:]
        var resources: [String: ResourceDefinition] = [:]
    }

    var interfaces: [String: Interface] = [:]
    /// Functions imported by the component directly, not through an interface.
    var rootFunctions: [String: FunctionDefinition] = [:]

    public init() {}

    /// Defines a function of an imported interface.
    /// - Parameters:
    ///   - interface: the full interface name, e.g. `streamkit:plugin/host@0.1.0`.
    ///   - function: the function's name in the interface, e.g. `send-output` or
    ///     `[method]output-stream.write`.
    ///   - type: the WIT type the host implements; the component's import must equal it.
    ///   - body: the implementation.
    public mutating func define(interface: String, function: String, type: ComponentFunctionType, _ body: @escaping HostFunction) {
        interfaces[interface, default: Interface()].functions[function] = FunctionDefinition(type: type, body: body)
    }

    /// Defines a function without a fixed type: it links whatever type the component declares,
    /// and its body receives that type.
    ///
    /// Meant for functions a deny-by-default host only refuses (every method of a resource it
    /// never hands out, a socket constructor that always returns `access-denied`), where
    /// spelling out each exact WIT type would add nothing. Results are lowered against the
    /// component's type, so a wrong value is still an error at call time.
    public mutating func define(interface: String, function: String, acceptingAnyType body: @escaping AnyTypeHostFunction) {
        interfaces[interface, default: Interface()].functions[function] = FunctionDefinition(anyType: body)
    }

    /// Declares an interface that exports only types (such as `streamkit:plugin/types@0.1.0`), so a
    /// component importing it links; its types are checked where functions use them.
    public mutating func defineInterface(_ interface: String) {
        if interfaces[interface] == nil { interfaces[interface] = Interface() }
    }

    /// Defines a function the component imports by a plain name (a world-level function).
    public mutating func define(function: String, type: ComponentFunctionType, _ body: @escaping HostFunction) {
        rootFunctions[function] = FunctionDefinition(type: type, body: body)
    }

    /// Defines a resource type of an imported interface and returns it, for use in function
    /// types (`.own(resource)`, `.borrow(resource)`) and handles.
    /// - Parameters:
    ///   - destructor: called with the representation when the guest drops its last owned
    ///     handle; `nil` if nothing needs releasing.
    @discardableResult
    public mutating func defineResource(interface: String, name: String, destructor: ((UInt32) throws -> Void)? = nil) -> ResourceType {
        if let existing = interfaces[interface]?.resources[name] { return existing.type }
        let type = ResourceType(name: name)
        interfaces[interface, default: Interface()].resources[name] = ResourceDefinition(type: type, destructor: destructor)
        return type
    }

    /// The resource type defined for `name` in `interface`, if any.
    public func resource(interface: String, name: String) -> ResourceType? {
        interfaces[interface]?.resources[name]?.type
    }

    /// Finds the host interface an import name refers to: the same name, or the same package
    /// and interface at a semver-compatible version.
    func lookup(_ name: String) -> Interface? {
        if let exact = interfaces[name] { return exact }
        guard let wanted = InterfaceName(name), let version = wanted.version else { return nil }
        var best: (Interface, SemanticVersion)?
        for (candidateName, interface) in interfaces {
            guard let candidate = InterfaceName(candidateName), candidate.base == wanted.base,
                  let candidateVersion = candidate.version, candidateVersion.isCompatible(with: version) else { continue }
            if let current = best, !(current.1 < candidateVersion) { continue }
            best = (interface, candidateVersion)
        }
        return best?.0
    }
}

/// `namespace:package/interface@version`, split at the `@`.
struct InterfaceName {
    var base: String
    var version: SemanticVersion?

    init?(_ name: String) {
        guard let at = name.lastIndex(of: "@") else {
            base = name
            version = nil
            return
        }
        base = String(name[..<at])
        guard let version = SemanticVersion(String(name[name.index(after: at)...])) else { return nil }
        self.version = version
    }
}

struct SemanticVersion: Comparable {
    var major: Int
    var minor: Int
    var patch: Int

    init?(_ text: String) {
        let core = text.split(separator: "-", maxSplits: 1).first.map(String.init) ?? text
        let parts = core.split(separator: ".").map { Int($0) }
        guard parts.count == 3, let major = parts[0], let minor = parts[1], let patch = parts[2] else { return nil }
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Same major version, or for 0.x the same minor version: the rule wasmtime applies.
    func isCompatible(with other: SemanticVersion) -> Bool {
        major == other.major && (major != 0 || minor == other.minor)
    }

    static func < (a: SemanticVersion, b: SemanticVersion) -> Bool {
        (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
    }
}
