import Testing

@testable import StreamKitComponentModel

/// A component built against a different WIT is refused at instantiation with a message that
/// says what differs, before any of its code runs.
struct TypeCheckingTests {
    static func component(cases: String, function: String = #"(export "send" (func (param "packet" $packet)))"#) -> String {
        """
        (component
          (import "test:types/host@0.1.0" (instance
            (type $p (variant \(cases)))
            (export "packet" (type $packet (eq $p)))
            \(function)))
        )
        """
    }

    static let threeCases = #"(case "audio" (list f32)) (case "text" string) (case "binary" (list u8))"#
    static let packet4 = ComponentValueType.variant([
        .init("audio", .list(.f32)), .init("text", .string), .init("binary", .list(.u8)), .init("custom", .string),
    ])

    func linker(packet: ComponentValueType, parameterName: String = "packet") -> ComponentLinker {
        var linker = ComponentLinker()
        linker.define(interface: "test:types/host@0.1.0", function: "send", type: ComponentFunctionType(parameters: [.init(parameterName, packet)])) { _ in [] }
        return linker
    }

    func refusal(_ wat: String, _ linker: ComponentLinker, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let component = try Component(bytes: try WasmTools.parse(wat))
        let error = ComponentError.expecting(.link, { _ = try ComponentInstance(component, linker: linker, engine: sharedEngine) }, sourceLocation: sourceLocation)
        return error?.message ?? ""
    }

    @Test func missingVariantCaseIsNamed() throws {
        let message = try refusal(Self.component(cases: Self.threeCases), linker(packet: Self.packet4))
        #expect(message.contains("import `test:types/host@0.1.0#send`: parameter packet: variant: component has 3 cases, host has 4 (component lacks `custom`)"), "\(message)")
    }

    @Test func matchingTypesLink() throws {
        let four = Self.threeCases + #" (case "custom" string)"#
        let component = try Component(bytes: try WasmTools.parse(Self.component(cases: four)))
        _ = try ComponentInstance(component, linker: linker(packet: Self.packet4), engine: sharedEngine)
    }

    @Test func payloadTypeDifferenceIsNamed() throws {
        let cases = #"(case "audio" (list f64)) (case "text" string) (case "binary" (list u8)) (case "custom" string)"#
        let message = try refusal(Self.component(cases: cases), linker(packet: Self.packet4))
        #expect(message.contains("parameter packet: case audio: list element: component has f64, host has f32"), "\(message)")
    }

    @Test func parameterNameDifferenceIsNamed() throws {
        let four = Self.threeCases + #" (case "custom" string)"#
        let message = try refusal(Self.component(cases: four), linker(packet: Self.packet4, parameterName: "p"))
        #expect(message.contains("parameter `packet` is `p` in the host"), "\(message)")
    }

    @Test func missingHostFunctionIsNamed() throws {
        let message = try refusal(Self.component(cases: Self.threeCases), ComponentLinker())
        #expect(message.contains("the host does not provide this interface"), "\(message)")
        var other = ComponentLinker()
        other.define(interface: "test:types/host@0.1.0", function: "log", type: ComponentFunctionType()) { _ in [] }
        let missing = try refusal(Self.component(cases: Self.threeCases), other)
        #expect(missing.contains("the host has no function `send`"), "\(missing)")
    }
}
