import StreamKitCore
import StreamKitEngine

/// Sample pipelines for a caller: list by mode, read, save and delete user samples, each behind
/// its permission flag and (for reading) the role's `allowed_samples`. Served by `/api/v1/samples`.
struct SampleService: Sendable {
    /// What a caller does to samples; each needs one permission flag.
    enum Action: Sendable {
        case list, read, save, delete
    }

    let library: SampleLibrary

    /// Throws ``ServiceError/permissionDenied(_:)`` unless `caller` may do `action`. Routes that
    /// read a request before calling the service check this first; the service checks again.
    func authorize(_ action: Action, _ caller: Caller) throws(ServiceError) {
        let permissions = caller.permissions
        let (granted, refusal): (Bool, String) =
            switch action {
            case .list: (permissions.listSamples, "cannot list samples")
            case .read: (permissions.readSamples, "cannot read samples")
            case .save: (permissions.writeSamples, "cannot save samples")
            case .delete: (permissions.deleteSamples, "cannot delete samples")
            }
        guard granted else { throw .permissionDenied(refusal) }
    }

    /// The samples of `mode` that `caller` may see.
    func list(mode: PipelineMode, caller: Caller) async throws -> [SamplePipeline] {
        try authorize(.list, caller)
        return try await library.list(allowlist: caller.permissions.sampleAllowlist).filter { $0.mode == mode }
    }

    /// The sample `id`, when `caller` may read it.
    func sample(_ id: String, caller: Caller) async throws -> SamplePipeline {
        try authorize(.read, caller)
        return try await library.load(id: id, allowlist: caller.permissions.sampleAllowlist)
    }

    /// Saves a user sample.
    func save(_ request: SampleSaveRequest, caller: Caller) async throws -> SamplePipeline {
        try authorize(.save, caller)
        return try await library.save(request)
    }

    /// Deletes a user sample.
    func delete(_ id: String, caller: Caller) async throws {
        try authorize(.delete, caller)
        try await library.delete(id: id)
    }
}
