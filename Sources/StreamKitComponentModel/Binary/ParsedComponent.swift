/// A parsed and validated component binary: its definitions in binary order.
///
/// Nested components are parsed into their own `ParsedComponent`s. Parsing checks the
/// structure and that every index refers to an existing definition; type checking against a
/// host happens at instantiation.
public struct ParsedComponent: Sendable {
    /// The definitions, in the order they appear (which is the order index spaces grow in).
    var definitions: [Definition]
    /// Byte offset of this component's preamble in the outermost binary.
    let offset: Int

    /// The names of the component's imports, in order.
    public var importNames: [String] {
        definitions.compactMap { if case .import(let i) = $0 { return i.name } else { return nil } }
    }

    /// The names of the component's exports, in order.
    public var exportNames: [String] {
        definitions.compactMap { if case .export(let e) = $0 { return e.name } else { return nil } }
    }

    /// The number of core modules, counting those in nested components.
    public var coreModuleCount: Int {
        definitions.reduce(0) { count, definition in
            switch definition {
            case .coreModule: return count + 1
            case .component(let nested): return count + nested.coreModuleCount
            default: return count
            }
        }
    }
}
