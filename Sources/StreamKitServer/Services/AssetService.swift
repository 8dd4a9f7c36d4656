import StreamKitCore

/// Audio assets for a caller: the files its `allowed_assets` shows, uploads and deletes of user
/// files behind their permission flags (listing needs none, as in the original). Served by `/api/v1/assets/audio`.
struct AssetService: Sendable {
    let library: AssetLibrary

    /// Every asset whose path the caller's allowlist grants.
    func list(caller: Caller) async throws -> [AudioAsset] {
        try await library.list(allowlist: caller.permissions.assetAllowlist)
    }

    /// Starts an upload of a file the client calls `fileName`: the stored name (sanitised and
    /// checked) and an open temporary file. Finish with ``commit(_:)`` or ``discard(_:)``.
    func beginUpload(fileName: String, caller: Caller) async throws -> UploadFile {
        try caller.authorize(.uploadAsset)
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
        try caller.authorize(.deleteAsset)
        try await library.delete(id: id)
    }
}
