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

/// What a client sends to save a user sample (`SavePipelineRequest`).
struct SampleSaveRequest: Sendable {
    var name: String
    var description: String
    var yaml: String
    var overwrite = false
    var isFragment = false
}

/// The sample pipeline files under `server.samples_dir`: `oneshot/`, `dynamic/`, `demo/` (system,
/// read-only through the API) and `user/` (written and deleted through the API).
///
/// Every file-system call runs on a ``BlockingQueue`` so that no request handler blocks a thread of
/// the cooperative pool. Errors are ``APIError``s ready to be answered.
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
                    guard allowed else { throw APIError.forbidden("Access to sample '\(relative)' is not allowed for this role") }
                    guard size <= Self.maxFileBytes else { throw APIError.tooLarge("File exceeds size limit (\(Self.maxFileBytes) bytes)") }
                    let data: Data
                    do {
                        data = try Data(contentsOf: url)
                    } catch {
                        throw APIError(.internalServerError, code: "io_error", "could not read sample '\(relative)'")
                    }
                    return Self.describe(
                        id: "\(subdirectory)/\(stem)", stem: stem, text: String(decoding: data, as: UTF8.self),
                        isSystem: subdirectory != Self.userDirectory
                    )
                }
            }
            guard anyAllowed else { throw APIError.forbidden("Access to sample '\(id)' is not allowed for this role") }
            throw APIError.notFound("Sample not found: \(id)")
        }
    }

    // MARK: Saving

    /// Validates `request`, writes `<samples_dir>/user/<file name>.yml` atomically and returns the
    /// saved sample (201 in the API). Every problem of the YAML is reported together (400).
    func save(_ request: SampleSaveRequest) async throws -> SamplePipeline {
        guard request.yaml.utf8.count <= Self.maxFileBytes else {
            throw APIError.tooLarge("'yaml' is larger than \(Self.maxFileBytes) bytes")
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
                throw APIError(.internalServerError, code: "io_error", "could not create the user samples directory")
            }
            let target = directory.appendingPathComponent(fileName)
            let sibling = directory.appendingPathComponent(stem + ".yaml")
            if !overwrite, FileKind.of(sibling.path) != .missing {
                throw APIError.conflict("Sample already exists: user/\(stem)")
            }
            try AtomicFile.write(Data(stored.utf8), to: target, replacing: overwrite) {
                APIError.conflict("Sample already exists: user/\(stem)")
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
            throw APIError.forbidden("Only user samples can be deleted")
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
                    throw APIError(.internalServerError, code: "io_error", "could not delete sample 'user/\(fileName)'")
                }
            }
            guard deleted else { throw APIError.notFound("Sample not found: \(id)") }
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
                case .notFound: throw APIError.notFound("Sample not found: \(id)")
                case .forbidden: throw APIError.forbidden("Only user samples can be deleted")
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

    /// The original's file-name rule: non-empty, at most 255 bytes, no `..`, `/` or `\` (and, here,
    /// no control characters).
    static func validateFileName(_ name: String) throws {
        let problem: String? =
            if name.isEmpty { "file name is empty" }
            else if name.utf8.count > 255 { "file name is longer than 255 bytes" }
            else if name.contains("..") { "file name contains '..'" }
            else if name.contains("/") || name.contains("\\") { "file name contains a path separator" }
            else if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { "file name contains control characters" }
            else { nil }
        if let problem { throw APIError.badRequest("Invalid filename: \(problem)", code: "invalid_filename") }
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
            throw APIError.invalidPipeline(PipelineValidationError(issues: issues))
        }
    }

    /// The text stored for a (non-fragment) sample: the YAML with its top-level `name` and
    /// `description` set to the request's. The rewrite is checked by parsing it again; when it
    /// does not give the same pipeline (an unusual layout such as a flow mapping), the values are
    /// recorded as comment lines above the untouched YAML instead.
    static func storedText(_ yaml: String, document: PipelineDocument?, name: String, description: String) -> String {
        if let document, let rewritten = SampleHeader.replacingNameAndDescription(in: yaml, name: name, description: description),
           let reparsed = try? PipelineParser.parse(rewritten),
           reparsed.name == name, (reparsed.description ?? "") == description, SampleHeader.sameGraph(reparsed, document) {
            return rewritten
        }
        let commented = { (text: String) in text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: " ") }
        return "# name: \(commented(name))\n# description: \(commented(description))\n" + yaml
    }
}

/// The top-level `name`, `description` and `mode` of a sample file.
///
/// A file that parses as a pipeline gives them from the parsed document; for anything else
/// (a fragment whose `needs` point outside it, a file with a mistake further down) the
/// top-level keys are still read when they hold single-line scalars.
struct SampleHeader: Sendable, Equatable {
    var name: String?
    var description: String?
    var mode: PipelineMode?

    static func read(_ text: String) -> SampleHeader {
        if let document = try? PipelineParser.parse(text) {
            return SampleHeader(name: document.name, description: document.description, mode: document.mode)
        }
        var header = SampleHeader()
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            guard let (key, rawValue) = topLevelEntry(line) else { continue }
            guard let value = scalar(rawValue) else { continue }
            switch key {
            case "name" where header.name == nil: header.name = value
            case "description" where header.description == nil: header.description = value
            case "mode" where header.mode == nil: header.mode = PipelineMode(rawValue: value)
            default: break
            }
        }
        return header
    }

    /// `key` and the rest of the line for a top-level `key: value` line, else nil.
    static func topLevelEntry(_ line: Substring) -> (key: String, value: Substring)? {
        guard let first = line.first, !first.isWhitespace, first != "#", first != "-" else { return nil }
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let after = line[line.index(after: colon)...]
        guard after.isEmpty || after.first?.isWhitespace == true else { return nil }
        var key = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
        if key.count >= 2, let quote = key.first, quote == "\"" || quote == "'", key.last == quote {
            key = String(key.dropFirst().dropLast())
        }
        return (key, after)
    }

    /// A single-line scalar: plain (a trailing ` #comment` removed), `"double"` or `'single'` quoted.
    static func scalar(_ raw: Substring) -> String? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        if text.hasPrefix("\"") {
            guard let end = text.lastIndex(of: "\""), end > text.startIndex else { return nil }
            return (try? JSONValue.parse(String(text[...end])))?.stringValue
        }
        if text.hasPrefix("'") {
            guard let end = text.lastIndex(of: "'"), end > text.startIndex else { return nil }
            return String(text[text.index(after: text.startIndex)..<end]).replacingOccurrences(of: "''", with: "'")
        }
        guard !["|", ">", "{", "[", "&", "*", "!"].contains(where: { text.hasPrefix($0) }) else { return nil }
        var value = text
        if let comment = value.range(of: " #") { value = String(value[..<comment.lowerBound]) }
        value = value.trimmingCharacters(in: .whitespaces)
        return value == "~" || value == "null" || value.isEmpty ? nil : value
    }

    /// `yaml` without its top-level `name`/`description` entries (with their continuation lines)
    /// and with new ones, as double-quoted scalars, at the top of the document (after a leading
    /// `---` line when there is one). Nil when the text has directives this does not handle.
    static func replacingNameAndDescription(in yaml: String, name: String, description: String) -> String? {
        let lines = yaml.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" })
        var kept: [Substring] = []
        var skipping = false
        for line in lines {
            let trimmedLine = line.hasSuffix("\r") ? line.dropLast() : line
            if skipping {
                // A value continues on blank and indented lines.
                if trimmedLine.allSatisfy(\.isWhitespace) || trimmedLine.first == " " || trimmedLine.first == "\t" { continue }
                skipping = false
            }
            if let (key, _) = topLevelEntry(trimmedLine), key == "name" || key == "description" {
                skipping = true
                continue
            }
            kept.append(line)
        }
        let header = "name: \(JSONValue.string(name).jsonString())\ndescription: \(JSONValue.string(description).jsonString())"
        if let marker = kept.firstIndex(where: { $0.hasPrefix("---") || $0.hasPrefix("%") }) {
            // Only a plain leading `---` (after comments) is handled.
            guard kept[..<marker].allSatisfy({ $0.allSatisfy(\.isWhitespace) || $0.hasPrefix("#") }),
                  kept[marker].trimmingCharacters(in: .whitespacesAndNewlines) == "---" else { return nil }
            kept.insert(Substring(header), at: kept.index(after: marker))
            return kept.joined(separator: "\n")
        }
        return header + "\n" + kept.joined(separator: "\n")
    }

    /// Whether two documents have the same mode, nodes and links (source lines aside).
    static func sameGraph(_ lhs: PipelineDocument, _ rhs: PipelineDocument) -> Bool {
        lhs.mode == rhs.mode
            && lhs.nodes.map { [$0.id, $0.kind, ($0.params ?? .null).jsonString()] } == rhs.nodes.map { [$0.id, $0.kind, ($0.params ?? .null).jsonString()] }
            && lhs.links.map(\.id) == rhs.links.map(\.id)
            && lhs.links.map(\.mode) == rhs.links.map(\.mode)
    }
}

/// What is at a path, following symbolic links.
enum FileKind: Equatable {
    case missing
    case regular(size: Int)
    case directory
    case other

    static func of(_ path: String) -> FileKind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        let type = Int(info.st_mode) & Int(S_IFMT)
        if type == Int(S_IFREG) { return .regular(size: Int(info.st_size)) }
        if type == Int(S_IFDIR) { return .directory }
        return .other
    }
}

/// Writing a file so that readers never see it half-written.
enum AtomicFile {
    /// Writes `data` to a hidden temporary file next to `target`, then moves it into place:
    /// replacing an existing file when `replacing`, otherwise failing with `conflict()` if
    /// `target` exists (hard link, which never replaces, then unlink of the temporary).
    static func write(_ data: Data, to target: URL, replacing: Bool, conflict: () -> APIError) throws {
        let directory = target.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try data.write(to: temporary, options: [.withoutOverwriting])
        } catch {
            throw APIError(.internalServerError, code: "io_error", "could not write '\(target.lastPathComponent)'")
        }
        defer { unlink(temporary.path) }
        try place(temporary: temporary.path, at: target.path, replacing: replacing, conflict: conflict)
    }

    /// Moves the finished `temporary` file to `target` (see ``write(_:to:replacing:conflict:)``).
    /// The temporary path is left for the caller to remove when it still exists.
    static func place(temporary: String, at target: String, replacing: Bool, conflict: () -> APIError) throws {
        if replacing {
            guard rename(temporary, target) == 0 else {
                throw APIError(.internalServerError, code: "io_error", "could not move the new file into place")
            }
            return
        }
        if link(temporary, target) == 0 { return }
        let failure = errno
        if failure == EEXIST { throw conflict() }
        // File systems without hard links: check, then rename (a tiny window, but the best available).
        guard FileKind.of(target) == .missing else { throw conflict() }
        guard rename(temporary, target) == 0 else {
            throw APIError(.internalServerError, code: "io_error", "could not move the new file into place")
        }
    }
}
