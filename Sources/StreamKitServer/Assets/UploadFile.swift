/// An asset upload being written: a staging file in the user directory and the name it will get.
struct UploadFile: Sendable {
    let staging: StagingFile
    /// The final file name.
    let target: String

    /// Appends `bytes` to the upload.
    func write(_ bytes: [UInt8]) async throws(ServiceError) {
        do {
            try await staging.write(bytes)
        } catch {
            throw .storage(code: "io_error", message: "could not write the uploaded file")
        }
    }
}
