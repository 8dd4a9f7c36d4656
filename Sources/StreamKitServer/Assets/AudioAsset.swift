import StreamKitCore

/// One audio file as the API serves it (`AudioAsset` in the wire format).
struct AudioAsset: Sendable, Equatable {
    /// The file name, extension included.
    var id: String
    /// The file name without its extension, `_` and `-` shown as spaces.
    var name: String
    /// `samples/audio/system/<file>` or `samples/audio/user/<file>`: what `allowed_assets` matches
    /// and what a `core::file_reader` node can open.
    var path: String
    /// The lower-cased extension.
    var format: String
    var sizeBytes: Int
    /// From the `<file>.license` sidecar: `License: …` and `Copyright: …` lines.
    var license: String?
    var isSystem: Bool

    /// The wire form; `license` is omitted when there is none.
    var json: JSONValue {
        var object: JSONObject = [
            "id": .string(id), "name": .string(name), "path": .string(path), "format": .string(format),
            "size_bytes": .number(Double(sizeBytes)),
        ]
        if let license { object["license"] = .string(license) }
        object["is_system"] = .bool(isSystem)
        return .object(object)
    }
}
