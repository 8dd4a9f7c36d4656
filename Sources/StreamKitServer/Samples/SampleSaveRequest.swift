/// What a client sends to save a user sample (`SavePipelineRequest`).
struct SampleSaveRequest: Sendable {
    var name: String
    var description: String
    var yaml: String
    var overwrite = false
    var isFragment = false
}
