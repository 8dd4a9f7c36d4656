/// A parsed and validated component binary, ready to be instantiated any number of times.
///
/// ```swift
/// let component = try Component(bytes: Array(try Data(contentsOf: url)))
/// ```
public struct Component: Sendable {
    let parsed: ParsedComponent

    /// Parses and validates a component binary.
    /// - Throws: ``ComponentParseError`` saying what is wrong and at which offset.
    public init(bytes: [UInt8]) throws(ComponentParseError) {
        parsed = try ComponentParser.parse(bytes)
    }

    /// The names of the component's imports (interfaces or functions), in order.
    public var importNames: [String] { parsed.importNames }
    /// The names of the component's exports, in order.
    public var exportNames: [String] { parsed.exportNames }
    /// How many core modules the component embeds, nested components included.
    public var coreModuleCount: Int { parsed.coreModuleCount }
}
