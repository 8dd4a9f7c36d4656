import StreamKitCore
import StreamKitEngine

/// Sample pipelines for a caller: list by mode, read, save and delete user samples, each behind
/// its permission flag and (for reading) the role's `allowed_samples`. Served by `/api/v1/samples`.
struct SampleService: Sendable {
    let library: SampleLibrary

    /// The samples of `mode` that `caller` may see.
    func list(mode: PipelineMode, caller: Caller) async throws -> [SamplePipeline] {
        try caller.authorize(.listSamples)
        return try await library.list(allowlist: caller.permissions.sampleAllowlist).filter { $0.mode == mode }
    }

    /// The sample `id`, when `caller` may read it.
    func sample(_ id: String, caller: Caller) async throws -> SamplePipeline {
        try caller.authorize(.readSample)
        return try await library.load(id: id, allowlist: caller.permissions.sampleAllowlist)
    }

    /// Saves a user sample.
    func save(_ request: SampleSaveRequest, caller: Caller) async throws -> SamplePipeline {
        try caller.authorize(.saveSample)
        return try await library.save(request)
    }

    /// Deletes a user sample.
    func delete(_ id: String, caller: Caller) async throws {
        try caller.authorize(.deleteSample)
        try await library.delete(id: id)
    }
}
