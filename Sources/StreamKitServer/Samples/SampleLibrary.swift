import Foundation
import StreamKitCore
import StreamKitEngine
import StreamKitScheduling

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The sample pipeline files under `server.samples_dir`: `oneshot/`, `dynamic/`, `demo/` (system,
/// read-only through the API) and `user/` (written and deleted through the API).
///
/// Every file-system call runs on a ``BlockingQueue`` so that no request handler blocks a thread of
/// the cooperative pool. Errors are ``ServiceError``s, which each transport answers in its own way.
struct SampleLibrary: Sendable {
    /// Largest sample file (and `yaml` field on save), in bytes: 1 MiB.
    static let maxFileBytes = 1024 * 1024
    /// The directories listings scan, in listing order.
    static let listingOrder = ["oneshot", "dynamic", "user", "demo"]
    /// The directories an id without a prefix is looked up in, in order.
    static let lookupOrder = ["oneshot", "dynamic", "demo", "user"]
    /// The one directory the API writes to.
    static let userDirectory = "user"

    /// Serialises this library's disk work off the cooperative pool (and saves against each other).
    private static let io = BlockingQueue(label: "streamkit.samples")

    /// `server.samples_dir`; relative paths are taken from the process working directory.
    let root: String

    init(root: String) {
        self.root = root
    }

    private var rootURL: URL { URL(fileURLWithPath: root, isDirectory: true) }

    // MARK: Listing

    /// Every readable sample in the four directories that `allowlist` grants (matched against
    /// `<subdir>/<file name>`), in directory order and, within a directory, by file name.
    func list(allowlist: Allowlist) async throws -> [SamplePipeline] {
        let root = rootURL
        return try await Self.io.run {
            var samples: [SamplePipeline] = []
            for subdirectory in Self.listingOrder {
                let directory = root.appendingPathComponent(subdirectory, isDirectory: true)
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { continue }
                for fileName in names.sorted() {
                    guard let stem = Self.sampleStem(of: fileName) else { continue }
                    guard allowlist.allows("\(subdirectory)/\(fileName)") else { continue }
                    let url = directory.appendingPathComponent(fileName)
                    guard case .regular(let size) = FileKind.of(url.path), size <= Self.maxFileBytes else { continue }
                    guard let data = try? Data(contentsOf: url) else { continue }
                    let text = String(decoding: data, as: UTF8.self)
                    samples.append(Self.describe(id: "\(subdirectory)/\(stem)", stem: stem, text: text, isSystem: subdirectory != Self.userDirectory))
                }
            }
            return samples
        }
    }

    // MARK: Reading one

    /// The sample `id` (`<subdir>/<stem>`, or a bare stem searched in every directory).
    ///
    /// A path the allowlist does not grant is refused with 403 whether or not the file exists, so
    /// the answer says nothing about files the caller may not see.
    func load(id: String, allowlist: Allowlist) async throws -> SamplePipeline {
        let (subdirectories, stem) = try Self.parseID(id, allowedPrefixes: Set(Self.lookupOrder), defaultDirectories: Self.lookupOrder)
        let root = rootURL
        return try await Self.io.run {
            var anyAllowed = false
            for subdirectory in subdirectories {
                let directory = root.appendingPathComponent(subdirectory, isDirectory: true)
                for candidate in Self.candidates(stem: stem, in: directory) {
                    let relative = "\(subdirectory)/\(candidate)"
                    let allowed = allowlist.allows(relative)
                    anyAllowed = anyAllowed || allowed
                    let url = directory.appendingPathComponent(candidate)
                    guard case .regular(let size) = FileKind.of(url.path) else { continue }
                    guard allowed else { throw ServiceError.forbidden("Access to sample '\(relative)' is not allowed for this role") }
                    guard size <= Self.maxFileBytes else { throw ServiceError.tooLarge("File exceeds size limit (\(Self.maxFileBytes) bytes)") }
                    let data: Data
                    do {
                        data = try Data(contentsOf: url)
                    } catch {
                        throw ServiceError.storage(code: "io_error", message: "could not read sample '\(relative)'")
                    }
                    return Self.describe(
                        id: "\(subdirectory)/\(stem)", stem: stem, text: String(decoding: data, as: UTF8.self),
                        isSystem: subdirectory != Self.userDirectory
                    )
                }
            }
            guard anyAllowed else { throw ServiceError.forbidden("Access to sample '\(id)' is not allowed for this role") }
            throw ServiceError.notFound("Sample not found: \(id)")
        }
    }

    // MARK: Saving

    /// Validates `request`, writes `<samples_dir>/user/<file name>.yml` atomically and returns the
    /// saved sample (201 in the API). Every problem of the YAML is reported together (400).
    func save(_ request: SampleSaveRequest) async throws -> SamplePipeline {
        guard request.yaml.utf8.count <= Self.maxFileBytes else {
            throw ServiceError.tooLarge("'yaml' is larger than \(Self.maxFileBytes) bytes")
        }
        let document = try Self.validate(request.yaml, isFragment: request.isFragment)
        let fileName = Self.fileName(forName: request.name, now: Date())
        try Self.validateFileName(fileName)
        let stem = String(fileName.dropLast(".yml".count))
        let stored = request.isFragment
            ? request.yaml
            : Self.storedText(request.yaml, document: document, name: request.name, description: request.description)
        let directory = rootURL.appendingPathComponent(Self.userDirectory, isDirectory: true)
        let overwrite = request.overwrite
        try await Self.io.run {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw ServiceError.storage(code: "io_error", message: "could not create the user samples directory")
            }
            let target = directory.appendingPathComponent(fileName)
            let sibling = directory.appendingPathComponent(stem + ".yaml")
            if !overwrite, FileKind.of(sibling.path) != .missing {
                throw ServiceError.conflict("Sample already exists: user/\(stem)")
            }
            try AtomicFile.write(Data(stored.utf8), to: target, replacing: overwrite) {
                ServiceError.conflict("Sample already exists: user/\(stem)")
            }
        }
        let storedMode = (try? PipelineParser.parse(stored))?.mode ?? SampleHeader.read(stored).mode ?? .dynamic
        return SamplePipeline(
            id: "user/\(stem)", name: request.name, description: request.description, yaml: request.yaml,
            isSystem: false, mode: storedMode, isFragment: request.isFragment
        )
    }

    // MARK: Deleting

    /// Deletes the user sample `id` (`user/<stem>` or a bare stem); system samples are refused with 403.
    func delete(id: String) async throws {
        let (subdirectories, stem) = try Self.parseID(id, allowedPrefixes: [Self.userDirectory], defaultDirectories: [Self.userDirectory], foreignPrefix: .forbidden)
        guard subdirectories == [Self.userDirectory] else {
            throw ServiceError.forbidden("Only user samples can be deleted")
        }
        let directory = rootURL.appendingPathComponent(Self.userDirectory, isDirectory: true)
        try await Self.io.run {
            var deleted = false
            for fileName in Self.candidates(stem: stem, in: directory) {
                let path = directory.appendingPathComponent(fileName).path
                guard case .regular = FileKind.of(path) else { continue }
                // `unlink` never removes a directory, whatever the name.
                if unlink(path) == 0 {
                    deleted = true
                } else if errno != ENOENT {
                    throw ServiceError.storage(code: "io_error", message: "could not delete sample 'user/\(fileName)'")
                }
            }
            guard deleted else { throw ServiceError.notFound("Sample not found: \(id)") }
        }
    }

    // MARK: Helpers

    /// What to answer for an id whose prefix is not one of the allowed directories.
    enum ForeignPrefix { case notFound, forbidden }

    /// Splits `id` at its first `/` into the directories to search and the file stem, validating
    /// the stem as a file name (400) and the prefix (404, or 403 for deletes).
    static func parseID(
        _ id: String, allowedPrefixes: Set<String>, defaultDirectories: [String], foreignPrefix: ForeignPrefix = .notFound
    ) throws -> (directories: [String], stem: String) {
        let directories: [String]
        let stem: String
        if let slash = id.firstIndex(of: "/") {
            let prefix = String(id[..<slash])
            stem = String(id[id.index(after: slash)...])
            try validateFileName(stem + ".yml")
            guard allowedPrefixes.contains(prefix) else {
                switch foreignPrefix {
                case .notFound: throw ServiceError.notFound("Sample not found: \(id)")
                case .forbidden: throw ServiceError.forbidden("Only user samples can be deleted")
                }
            }
            directories = [prefix]
        } else {
            stem = id
            try validateFileName(stem + ".yml")
            directories = defaultDirectories
        }
        return (directories, stem)
    }

    /// The original's file-name rule, with control characters refused too (400).
    static func validateFileName(_ name: String) throws(ServiceError) {
        try StoredFileName.validate(name, rejectingControlCharacters: true)
    }

    /// The file stem of a sample file name (`.yml`/`.yaml`, any case), or nil for other files.
    static func sampleStem(of fileName: String) -> String? {
        guard !fileName.hasPrefix(".") else { return nil }
        let lowered = fileName.lowercased()
        for suffix in [".yml", ".yaml"] where lowered.hasSuffix(suffix) && fileName.count > suffix.count {
            return String(fileName.dropLast(suffix.count))
        }
        return nil
    }

    /// File names that may hold the sample `stem` in `directory`: `.yml`, then `.yaml`, then any
    /// other spelling of those extensions present on disk (`.YML`), in that order.
    static func candidates(stem: String, in directory: URL) -> [String] {
        var names = [stem + ".yml", stem + ".yaml"]
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: directory.path) {
            for entry in entries.sorted() where !names.contains(entry) && sampleStem(of: entry) == stem {
                names.append(entry)
            }
        }
        return names
    }

    /// Name shown for a file without a `name`: `_` → space, each word capitalised (`double_volume` → `Double Volume`).
    static func derivedName(fromStem stem: String) -> String {
        stem.replacingOccurrences(of: "_", with: " ")
            .split(whereSeparator: \.isWhitespace)
            .map { word in word.prefix(1).uppercased() + word.dropFirst() }
            .joined(separator: " ")
    }

    /// The file name a sample called `name` is saved under: every character other than a letter,
    /// digit, `-` or `_` becomes `_`, outer `_` are trimmed, lower-cased, `.yml` appended;
    /// `pipeline_<unix seconds>.yml` when nothing is left.
    static func fileName(forName name: String, now: Date) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            let keep = scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "-" || scalar == "_"
            scalars.append(keep ? scalar : "_")
        }
        let stem = String(scalars).trimmingCharacters(in: CharacterSet(charactersIn: "_")).lowercased()
        return stem.isEmpty ? "pipeline_\(Int(now.timeIntervalSince1970)).yml" : stem + ".yml"
    }

    /// The listing entry for one file.
    static func describe(id: String, stem: String, text: String, isSystem: Bool) -> SamplePipeline {
        let header = SampleHeader.read(text)
        let derived = derivedName(fromStem: stem)
        let name = header.name ?? derived
        let description = header.description ?? ""
        return SamplePipeline(
            id: id, name: name, description: description, yaml: text, isSystem: isSystem,
            mode: header.mode ?? .dynamic, isFragment: name == derived && description.isEmpty
        )
    }

    /// Parses `yaml` as a pipeline, throwing 400 with every problem. A fragment (a piece of a
    /// pipeline kept for reuse) may refer in `needs` to nodes it does not contain.
    static func validate(_ yaml: String, isFragment: Bool) throws -> PipelineDocument? {
        do {
            return try PipelineParser.parse(yaml)
        } catch {
            // `PipelineParser.parse` throws only `PipelineValidationError`.
            let issues = isFragment ? error.issues.filter { $0.code != "unknown_dependency" } : error.issues
            if issues.isEmpty { return nil }
            throw ServiceError.invalidPipeline(PipelineValidationError(issues: issues))
        }
    }

    /// The text stored for a (non-fragment) sample: the YAML with its top-level `name` and
    /// `description` set to the request's. The rewrite is checked by parsing it again; when it
    /// does not give the same pipeline (an unusual layout such as a flow mapping), the values are
    /// recorded as comment lines above the untouched YAML instead.
    static func storedText(_ yaml: String, document: PipelineDocument?, name: String, description: String) -> String {
        if let document, let rewritten = SampleHeaderEditor.replacingNameAndDescription(in: yaml, name: name, description: description),
           let reparsed = try? PipelineParser.parse(rewritten),
           reparsed.name == name, (reparsed.description ?? "") == description, SampleHeaderEditor.sameGraph(reparsed, document) {
            return rewritten
        }
        let commented = { (text: String) in text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: " ") }
        return "# name: \(commented(name))\n# description: \(commented(description))\n" + yaml
    }
}
