/// How two types with the same variant id are compared (the original's packet-type registry,
/// served to the UI so it can colour pins and check links the same way the engine does).
public enum PacketTypeCompatibility: Sendable, Hashable {
    case any
    case exact
    /// Listed payload fields must be equal unless either side holds the wildcard value.
    case structFieldWildcard([(name: String, wildcard: JSONValue?)])

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.json == rhs.json }
    public func hash(into hasher: inout Hasher) { hasher.combine(json) }

    var json: JSONValue {
        switch self {
        case .any: return ["kind": "any"]
        case .exact: return ["kind": "exact"]
        case .structFieldWildcard(let fields):
            let list: [JSONValue] = fields.map { field in
                var object: JSONObject = ["name": .string(field.name)]
                if let wildcard = field.wildcard { object["wildcard_value"] = wildcard }
                return .object(object)
            }
            return ["kind": "structfieldwildcard", "fields": .array(list)]
        }
    }
}

/// One entry of the packet-type registry.
public struct PacketTypeDescription: Sendable, Hashable {
    public var id: String
    public var label: String
    public var color: String
    public var displayTemplate: String?
    public var compatibility: PacketTypeCompatibility

    /// The JSON form served at `/api/v1/schema/packets`.
    public var json: JSONValue {
        var object: JSONObject = [
            "id": .string(id), "label": .string(label), "color": .string(color),
            "compatibility": compatibility.json,
        ]
        if let displayTemplate { object["display_template"] = .string(displayTemplate) }
        return .object(object)
    }

    /// Every packet type the engine knows, with the original's labels and colours.
    public static let all: [PacketTypeDescription] = [
        .init(id: "Any", label: "Any", color: "#96ceb4", compatibility: .any),
        .init(id: "Binary", label: "Binary", color: "#45b7d1", compatibility: .exact),
        .init(id: "Text", label: "Text", color: "#4ecdc4", compatibility: .exact),
        .init(id: "OpusAudio", label: "Opus Audio", color: "#ff6b6b", compatibility: .exact),
        .init(
            id: "RawAudio", label: "Raw Audio", color: "#f39c12",
            displayTemplate: "Raw Audio ({sample_rate|*}Hz, {channels|*}ch, {sample_format})",
            compatibility: .structFieldWildcard([("sample_rate", 0), ("channels", 0), ("sample_format", nil)])
        ),
        .init(id: "Transcription", label: "Transcription", color: "#9b59b6", compatibility: .exact),
        .init(
            id: "Custom", label: "Custom", color: "#e67e22", displayTemplate: "Custom ({type_id})",
            compatibility: .structFieldWildcard([("type_id", nil)])
        ),
    ]

    /// The registry as a JSON array.
    public static var allJSON: JSONValue { .array(all.map(\.json)) }
}
