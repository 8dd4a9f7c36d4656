import StreamKitComponentModel

/// The host's side of the WIT world `streamkit:plugin@0.1.0` (wit/plugin.wit), as component types.
/// Imports and exports of a component are compared with these; a component built against another
/// version of the WIT is refused with the first difference.
enum PluginWIT {
    static let typesInterface = "streamkit:plugin/types@0.1.0"
    static let hostInterface = "streamkit:plugin/host@0.1.0"
    static let nodeInterface = "streamkit:plugin/node@0.1.0"
    static let resourceName = "node-instance"

    static let sampleFormat = ComponentValueType.enumeration(["float32", "s16-le"])
    static let audioFormat = ComponentValueType.record([.init("sample-rate", .u32), .init("channels", .u16), .init("sample-format", sampleFormat)])
    static let packetType = ComponentValueType.variant([
        .init("raw-audio", audioFormat), .init("opus-audio"), .init("text"), .init("binary"), .init("custom", .string), .init("any"),
    ])
    static let customEncoding = ComponentValueType.enumeration(["json"])
    static let customPacket = ComponentValueType.record([.init("type-id", .string), .init("encoding", customEncoding), .init("data", .string)])
    static let inputPin = ComponentValueType.record([.init("name", .string), .init("accepts-types", .list(packetType))])
    static let outputPin = ComponentValueType.record([.init("name", .string), .init("produces-type", packetType)])
    static let nodeMetadata = ComponentValueType.record([
        .init("kind", .string), .init("inputs", .list(inputPin)), .init("outputs", .list(outputPin)),
        .init("param-schema", .string), .init("categories", .list(.string)),
    ])
    static let audioFrame = ComponentValueType.record([.init("sample-rate", .u32), .init("channels", .u16), .init("samples", .list(.f32))])
    static let packet = ComponentValueType.variant([
        .init("audio", audioFrame), .init("text", .string), .init("binary", .list(.u8)), .init("custom", customPacket),
    ])
    static let logLevel = ComponentValueType.enumeration(["debug", "info", "warn", "error"])
    static let unitOrString = ComponentValueType.result(ok: nil, error: .string)

    static let sendOutput = ComponentFunctionType(parameters: [.init("pin-name", .string), .init("packet", packet)], result: unitOrString)
    static let log = ComponentFunctionType(parameters: [.init("level", logLevel), .init("message", .string)])
    static let metadata = ComponentFunctionType(result: nodeMetadata)

    static func constructor(_ resource: ResourceType) -> ComponentFunctionType {
        ComponentFunctionType(parameters: [.init("params", .option(.string))], result: .own(resource))
    }

    static func process(_ resource: ResourceType) -> ComponentFunctionType {
        ComponentFunctionType(parameters: [.init("self", .borrow(resource)), .init("input-pin", .string), .init("packet", packet)], result: unitOrString)
    }

    static func updateParams(_ resource: ResourceType) -> ComponentFunctionType {
        ComponentFunctionType(parameters: [.init("self", .borrow(resource)), .init("params", .option(.string))], result: unitOrString)
    }

    static func cleanup(_ resource: ResourceType) -> ComponentFunctionType {
        ComponentFunctionType(parameters: [.init("self", .borrow(resource))])
    }
}
