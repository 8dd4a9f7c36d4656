import StreamKitCore

/// Audio assets for a caller: the files its `allowed_assets` shows, uploads and deletes of user
/// files behind their permission flags. Served by `/api/v1/assets/audio`.
struct AssetService: Sendable {
    /// What a caller does to assets that needs a permission flag (listing needs none, as in the original).
    enum Action: Sendable {
        case upload, delete
    }

    let library: AssetLibrary

    /// Throws ``ServiceError/permissionDenied(_:)`` unless `caller` may do `action`. Uploads check
    /// it before reading the body.
    func authorize(_ action: Action, _ caller: Caller) throws(ServiceError) {
        switch action {
        case .upload: guard caller.permissions.uploadAssets else { throw .permissionDenied("cannot upload assets") }
        case .delete: guard caller.permissions.deleteAssets else { throw .permissionDenied("cannot delete assets") }
        }
    }

    /// Every asset whose path the caller's allowlist grants.
    func list(caller: Caller) async throws -> [AudioAsset] {
        try await library.list(allowlist: caller.permissions.assetAllowlist)
    }

    /// Starts an upload of a file the client calls `fileName`: the stored name (sanitised and
    /// checked) and an open temporary file. Finish with ``commit(_:)`` or ``discard(_:)``.
    func beginUpload(fileName: String, caller: Caller) async throws -> UploadFile {
        try authorize(.upload, caller)
        return try await library.beginUpload(fileName: try AssetLibrary.uploadFileName(fileName))
    }

    /// Moves a completely written upload into place and returns the new asset.
    func commit(_ upload: UploadFile) async throws -> AudioAsset {
        try await library.commit(upload)
    }

    /// Drops an unfinished upload.
    func discard(_ upload: UploadFile) async {
        await library.discard(upload)
    }

    /// Deletes the user asset `id`.
    func delete(_ id: String, caller: Caller) async throws {
        try authorize(.delete, caller)
        try await library.delete(id: id)
    }
}
