import StreamKitCore
import StreamKitEngine

/// One sample pipeline as the API serves it (`SamplePipeline` in the wire format).
struct SamplePipeline: Sendable, Equatable {
    /// `<subdir>/<file stem>`, e.g. `oneshot/double_volume_wav`.
    var id: String
    var name: String
    var description: String
    /// The file's text.
    var yaml: String
    /// True for everything outside `user/`.
    var isSystem: Bool
    var mode: PipelineMode
    var isFragment: Bool

    /// The wire form: `{id, name, description, yaml, is_system, mode, is_fragment}`.
    var json: JSONValue {
        [
            "id": .string(id), "name": .string(name), "description": .string(description), "yaml": .string(yaml),
            "is_system": .bool(isSystem), "mode": .string(mode.rawValue), "is_fragment": .bool(isFragment),
        ]
    }
}
