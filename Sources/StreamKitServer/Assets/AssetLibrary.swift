import Foundation
import StreamKitCore
import StreamKitScheduling
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The audio files under `<root>/samples/audio/system/` (read-only) and
/// `<root>/samples/audio/user/` (uploads), where `root` is the process working directory unless
/// changed (tests point it at a temporary directory).
///
/// Every file-system call runs on a ``BlockingQueue``.
final class AssetLibrary: Sendable {
    /// Extensions accepted for assets, in the order error messages list them.
    static let formats = ["opus", "ogg", "flac", "mp3", "wav"]
    static let systemDirectory = "samples/audio/system"
    static let userDirectory = "samples/audio/user"
    /// Sidecars larger than this are ignored.
    static let maxLicenseBytes = 64 * 1024

    private let rootDirectory: Mutex<String>
    /// Listing, deleting and the final steps of uploads; upload bodies are written on their own queue.
    let io = BlockingQueue(label: "streamkit.assets")

    /// A library rooted at `root` (default: the working directory).
    init(root: String = FileManager.default.currentDirectoryPath) {
        rootDirectory = Mutex(root)
    }

    /// The directory `samples/audio/…` is resolved against.
    var root: String { rootDirectory.withLock { $0 } }

    /// Resolves `samples/audio/…` against `root` from now on.
    func relocate(to root: String) {
        rootDirectory.withLock { $0 = root }
    }

    private func directoryURL(_ relative: String) -> URL {
        URL(fileURLWithPath: root, isDirectory: true).appendingPathComponent(relative, isDirectory: true)
    }

    /// The user upload directory.
    var userDirectoryURL: URL { directoryURL(Self.userDirectory) }

    // MARK: Listing

    /// Every asset of both directories whose `path` `allowlist` grants, sorted by name (then path).
    /// A missing directory is skipped.
    func list(allowlist: Allowlist) async throws -> [AudioAsset] {
        let directories = [(Self.systemDirectory, directoryURL(Self.systemDirectory), true), (Self.userDirectory, directoryURL(Self.userDirectory), false)]
        let assets = try await io.run {
            var assets: [AudioAsset] = []
            for (relative, url, isSystem) in directories {
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else { continue }
                for fileName in names {
                    guard Self.format(of: fileName) != nil, allowlist.allows("\(relative)/\(fileName)") else { continue }
                    if let asset = Self.describe(fileName: fileName, in: url, relative: relative, isSystem: isSystem) {
                        assets.append(asset)
                    }
                }
            }
            return assets
        }
        return assets.sorted { ($0.name, $0.path) < ($1.name, $1.path) }
    }

    /// The asset for one regular file, or nil when it is not one.
    static func describe(fileName: String, in directory: URL, relative: String, isSystem: Bool) -> AudioAsset? {
        guard let format = format(of: fileName) else { return nil }
        let url = directory.appendingPathComponent(fileName)
        guard case .regular(let size) = FileKind.of(url.path) else { return nil }
        return AudioAsset(
            id: fileName, name: displayName(of: fileName, format: format), path: "\(relative)/\(fileName)",
            format: format, sizeBytes: size, license: license(forAssetAt: url), isSystem: isSystem
        )
    }

    /// The lower-cased extension when it is an allowed format (and the file is not hidden), else nil.
    static func format(of fileName: String) -> String? {
        guard !fileName.hasPrefix("."), let dot = fileName.lastIndex(of: "."), dot > fileName.startIndex else { return nil }
        let format = fileName[fileName.index(after: dot)...].lowercased()
        return formats.contains(format) ? format : nil
    }

    /// `my_song-take2.wav` → `my song take2`.
    static func displayName(of fileName: String, format: String) -> String {
        String(fileName.dropLast(format.count + 1))
            .replacingOccurrences(of: "_", with: " ")
            .replacingOccurrences(of: "-", with: " ")
    }

    /// The `<file>.license` sidecar, as `License: …` / `Copyright: …` lines, or nil.
    static func license(forAssetAt url: URL) -> String? {
        let sidecar = url.path + ".license"
        guard case .regular(let size) = FileKind.of(sidecar), size <= maxLicenseBytes,
              let data = FileManager.default.contents(atPath: sidecar) else { return nil }
        return license(fromSidecar: String(decoding: data, as: UTF8.self))
    }

    /// Reads the SPDX lines of a sidecar.
    static func license(fromSidecar text: String) -> String? {
        var lines: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let line = line.trimmingCharacters(in: .whitespaces)
            if let value = line.valueAfter("SPDX-License-Identifier:") {
                lines.append("License: \(value)")
            } else if let value = line.valueAfter("SPDX-FileCopyrightText:") {
                lines.append("Copyright: \(value)")
            }
        }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    /// The sidecar written next to every upload: public domain (CC0), copyright "User Upload".
    static func uploadSidecar(year: Int) -> String {
        "SPDX-FileCopyrightText: © \(year) User Upload\nSPDX-License-Identifier: CC0-1.0\n"
    }

    // MARK: Upload names

    /// The stored name for an uploaded file name: characters other than ASCII letters, digits,
    /// `.`, `-` and `_` become `_`; the result must be a valid name with an allowed extension (400).
    static func uploadFileName(_ original: String) throws(ServiceError) -> String {
        let ranges: [ClosedRange<Unicode.Scalar>] = ["a"..."z", "A"..."Z", "0"..."9", "."...".", "-"..."-", "_"..."_"]
        var scalars = String.UnicodeScalarView()
        for scalar in original.unicodeScalars {
            scalars.append(ranges.contains { $0.contains(scalar) } ? scalar : "_")
        }
        let sanitized = String(scalars)
        try validateFileName(sanitized)
        guard !sanitized.hasPrefix(".") else {
            throw ServiceError.invalid(code: "invalid_filename", message: "Invalid filename: hidden files (leading '.') are not accepted")
        }
        guard format(of: sanitized) != nil else {
            let extensionText = sanitized.contains(".") ? String(sanitized.split(separator: ".", omittingEmptySubsequences: false).last ?? "") : ""
            throw ServiceError.invalid(
                code: "unsupported_format",
                message: "Unsupported audio format: \(extensionText.isEmpty ? "(none)" : extensionText). Allowed: \(formats.joined(separator: ", "))"
            )
        }
        return sanitized
    }

    /// Non-empty, at most 255 bytes, no `..`, `/` or `\` (400).
    static func validateFileName(_ name: String) throws(ServiceError) {
        try StoredFileName.validate(name)
    }

    // MARK: Upload steps

    /// Creates the user directory and a new hidden temporary file in it; 409 when `fileName`
    /// already exists. The caller writes the body to the returned file and then calls ``commit``.
    func beginUpload(fileName: String) async throws -> UploadFile {
        let directory = userDirectoryURL
        return try await io.run {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw ServiceError.storage(code: "io_error", message: "could not create the asset upload directory")
            }
            guard FileKind.of(directory.appendingPathComponent(fileName).path) == .missing else {
                throw ServiceError.conflict("File already exists: \(fileName)")
            }
            let temporary = directory.appendingPathComponent(".upload-\(UUID().uuidString).part").path
            do {
                return UploadFile(staging: try StagingFile(creating: temporary, label: "streamkit.assets.upload"), target: fileName)
            } catch {
                throw ServiceError.storage(code: "io_error", message: "could not create a temporary upload file")
            }
        }
    }

    /// Closes a completely written upload and moves it into place (never replacing a file: 409),
    /// writes its CC0 license sidecar and returns the new asset. The temporary file is gone
    /// afterwards, whatever happens.
    func commit(_ upload: UploadFile) async throws -> AudioAsset {
        let directory = userDirectoryURL
        let year = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC") ?? .current, from: Date()).year ?? 2025
        return try await io.run {
            upload.staging.closeNow()
            defer { unlink(upload.staging.path) }
            let target = directory.appendingPathComponent(upload.target)
            try AtomicFile.place(temporary: upload.staging.path, at: target.path, replacing: false) {
                ServiceError.conflict("File already exists: \(upload.target)")
            }
            let sidecar = URL(fileURLWithPath: target.path + ".license")
            do {
                try AtomicFile.write(Data(Self.uploadSidecar(year: year).utf8), to: sidecar, replacing: true) {
                    ServiceError.conflict("File already exists: \(sidecar.lastPathComponent)")
                }
            } catch {
                unlink(target.path)
                throw error
            }
            guard let asset = Self.describe(fileName: upload.target, in: directory, relative: Self.userDirectory, isSystem: false) else {
                throw ServiceError.storage(code: "io_error", message: "the uploaded file vanished")
            }
            return asset
        }
    }

    /// Removes an unfinished upload's temporary file.
    func discard(_ upload: UploadFile) async {
        await upload.staging.discard()
    }

    // MARK: Deleting

    /// Deletes the user asset `id` and its sidecar. 404 when there is no such asset; 403 when the
    /// name resolves (through a symbolic link) outside the user directory.
    func delete(id: String) async throws {
        try Self.validateFileName(id)
        guard Self.format(of: id) != nil else { throw ServiceError.notFound("Asset not found: \(id)") }
        let directory = userDirectoryURL
        try await io.run {
            let path = directory.appendingPathComponent(id).path
            guard case .regular = FileKind.of(path) else { throw ServiceError.notFound("Asset not found: \(id)") }
            guard let canonicalDirectory = Self.canonical(directory.path), let canonicalFile = Self.canonical(path),
                  canonicalFile.hasPrefix(canonicalDirectory + "/") else {
                throw ServiceError.forbidden("Asset '\(id)' is outside the user asset directory")
            }
            guard unlink(path) == 0 else {
                throw ServiceError.storage(code: "io_error", message: "could not delete asset '\(id)'")
            }
            unlink(path + ".license")
        }
    }

    /// The path with every symbolic link and `..` resolved, or nil when it does not exist.
    static func canonical(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

extension String {
    /// The trimmed text after `prefix` when the string starts with it.
    fileprivate func valueAfter(_ prefix: String) -> String? {
        guard hasPrefix(prefix) else { return nil }
        return dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
    }
}
