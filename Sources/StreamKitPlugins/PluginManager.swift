import Crypto
import Foundation
import Logging
import StreamKitCore
import StreamKitScheduling
import Synchronization

/// Owns the plugin directory, the loaded plugins and their entries in the node registry.
///
/// Layout: `<directory>/native/` and `<directory>/wasm/` hold the plugins that load at start-up;
/// `<directory>/.staging/` holds uploads in progress and the private copies the loaders open.
/// Every load opens its own uniquely named copy of the file (deleted right after loading), so a
/// replacement never re-opens a path the process already has open and never disturbs code that
/// running nodes still execute.
///
/// Operations run one at a time on a serial queue of their own (file I/O and `dlopen` block).
public final class PluginManager: Sendable {
    public let directory: URL
    private let registry: NodeRegistry
    private let loaders: [PluginType: any PluginLoader]
    private let logger: Logger
    private let queue = BlockingQueue(label: "streamkit.plugins")
    private let entries = Mutex<[String: Entry]>([:])

    private struct Entry: Sendable {
        var summary: PluginSummary
    }

    /// What happened to one file at start-up.
    public struct StartupResult: Sendable {
        public var file: String
        public var outcome: Result<PluginSummary, PluginManagerError>
    }

    /// The result of an install: the new plugin and the version it replaced, if any.
    public struct Installation: Sendable {
        public var summary: PluginSummary
        public var replaced: PluginSummary?
    }

    public init(directory: String, registry: NodeRegistry, loaders: [any PluginLoader], logger: Logger) {
        self.directory = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        self.registry = registry
        self.loaders = Dictionary(loaders.map { ($0.type, $0) }, uniquingKeysWith: { first, _ in first })
        self.logger = logger
    }

    var stagingDirectory: URL { directory.appendingPathComponent(".staging", isDirectory: true) }

    func typeDirectory(_ type: PluginType) -> URL { directory.appendingPathComponent(type.directoryName, isDirectory: true) }

    /// The loaded plugins, sorted by kind.
    public var plugins: [PluginSummary] {
        entries.withLock { $0.values.map(\.summary) }.sorted { $0.kind < $1.kind }
    }

    /// The loaded plugin of `kind`, if any.
    public func plugin(kind: String) -> PluginSummary? {
        entries.withLock { $0[kind]?.summary }
    }

    /// How many plugins of `type` are loaded.
    public func count(of type: PluginType) -> Int {
        entries.withLock { $0.values.filter { $0.summary.type == type }.count }
    }

    // MARK: Start-up

    /// Creates the directories and loads every plugin file in them (native first, then WASM,
    /// each folder in name order). A bad file is reported and skipped; it is never fatal.
    public func loadAll() async -> [StartupResult] {
        (try? await queue.run { [self] in loadAllNow() }) ?? []
    }

    private func loadAllNow() -> [StartupResult] {
        let files = FileManager.default
        try? files.removeItem(at: stagingDirectory)  // leftovers of a crash or kill mid-upload
        for type in PluginType.allCases {
            try? files.createDirectory(at: typeDirectory(type), withIntermediateDirectories: true)
        }
        var results: [StartupResult] = []
        for type in PluginType.allCases {
            let folder = typeDirectory(type)
            let names = ((try? files.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
            for name in names where !name.hasPrefix(".") && PluginType.forFileName(name) == type {
                let path = folder.appendingPathComponent(name).path
                let outcome = Result { () throws(PluginManagerError) -> PluginSummary in
                    // A rescan leaves plugins that are already loaded from this file alone.
                    if let loaded = entries.withLock({ $0.values.first { $0.summary.type == type && $0.summary.fileName == name } }) {
                        return loaded.summary
                    }
                    let sha = try Self.sha256(ofFileAt: path)
                    let size = (try? files.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                    let loaded = try load(copyOf: path, fileName: name, type: type)
                    if let existing = entries.withLock({ $0[loaded.kind] }) {
                        throw .conflict("'\(name)' provides '\(loaded.kind)', which '\(existing.summary.fileName)' already provides; skipped")
                    }
                    try checkNotBuiltIn(loaded.kind)
                    let summary = makeSummary(loaded, type: type, fileName: name, sha256: sha, size: size, version: 1)
                    registry.register(loaded.definition)
                    entries.withLock { $0[loaded.kind] = Entry(summary: summary) }
                    return summary
                }
                switch outcome {
                case .success(let summary):
                    logger.info("plugin loaded", metadata: ["kind": "\(summary.kind)", "file": "\(name)"])
                case .failure(let error):
                    logger.warning("plugin skipped", metadata: ["file": "\(type.directoryName)/\(name)", "reason": "\(error)"])
                }
                results.append(StartupResult(file: "\(type.directoryName)/\(name)", outcome: outcome))
            }
        }
        return results
    }

    // MARK: Upload

    /// A fresh path in the staging folder for an upload to be written to.
    public func makeStagingPath() throws(PluginManagerError) -> String {
        do {
            try FileManager.default.createDirectory(at: stagingDirectory, withIntermediateDirectories: true)
        } catch {
            throw .storage("cannot create the plugin staging folder \(stagingDirectory.path): \(error.localizedDescription)")
        }
        return stagingDirectory.appendingPathComponent("upload-\(UUID().uuidString)").path
    }

    /// Installs an upload written to `stagedPath` (from `makeStagingPath`) under `fileName`.
    ///
    /// The file is loaded from a private copy first; only when it loaded, is allowed and conflicts
    /// with nothing is it renamed into `<directory>/<type>/` (atomically) and registered. A kind that
    /// is already loaded is replaced: new nodes get the new version, running nodes keep theirs.
    /// Whatever happens, the staged file is gone afterwards and a refused upload changes nothing.
    public func install(
        stagedPath: String, fileName: String, sha256: String, size: Int,
        isAllowed: @escaping @Sendable (String) -> Bool
    ) async throws(PluginManagerError) -> Installation {
        try await onQueue { [self] () throws(PluginManagerError) -> Installation in
            defer { try? FileManager.default.removeItem(atPath: stagedPath) }
            return try installNow(stagedPath: stagedPath, fileName: fileName, sha256: sha256, size: size, isAllowed: isAllowed)
        }.get()
    }

    private func installNow(
        stagedPath: String, fileName: String, sha256: String, size: Int, isAllowed: (String) -> Bool
    ) throws(PluginManagerError) -> Installation {
        let (name, type) = try PluginFileName.validate(fileName)
        let loaded = try load(copyOf: stagedPath, fileName: name, type: type)
        guard isAllowed(loaded.kind) else {
            throw .forbidden("Permission denied: your role may not load plugin '\(loaded.kind)' (permissions: allowed_plugins)")
        }
        try checkNotBuiltIn(loaded.kind)
        let previous = entries.withLock { $0[loaded.kind]?.summary }
        if let owner = entries.withLock({ $0.values.first { $0.summary.fileName == name && $0.summary.type == type && $0.summary.kind != loaded.kind } }) {
            throw .conflict("the file name '\(name)' is already used by plugin '\(owner.summary.kind)'; delete that plugin first or upload under another name")
        }
        let target = typeDirectory(type).appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: typeDirectory(type), withIntermediateDirectories: true)
            if rename(stagedPath, target.path) != 0 {
                throw PluginManagerError.storage("cannot move the upload into \(target.path): \(String(cString: strerror(errno)))")
            }
        } catch let error as PluginManagerError {
            throw error
        } catch {
            throw .storage("cannot write into \(typeDirectory(type).path): \(error.localizedDescription)")
        }
        #if !os(Windows)
        if type == .native { chmod(target.path, 0o755) }
        #endif
        // The replaced version's file goes, unless the new one took its name (rename replaced it).
        if let previous, previous.fileName != name {
            try? FileManager.default.removeItem(at: typeDirectory(previous.type).appendingPathComponent(previous.fileName))
        }
        let summary = makeSummary(loaded, type: type, fileName: name, sha256: sha256, size: size, version: (previous?.version ?? 0) + 1)
        registry.register(loaded.definition)
        entries.withLock { $0[loaded.kind] = Entry(summary: summary) }
        logger.info(
            previous == nil ? "plugin loaded" : "plugin replaced",
            metadata: ["kind": "\(summary.kind)", "file": "\(name)", "sha256": "\(sha256.prefix(12))", "version": "\(summary.version)"]
        )
        return Installation(summary: summary, replaced: previous)
    }

    // MARK: Delete

    /// Unregisters `kind` at once (running nodes keep working) and deletes its file unless `keepFile`.
    public func unload(kind: String, keepFile: Bool) async throws(PluginManagerError) -> PluginSummary {
        try await onQueue { [self] () throws(PluginManagerError) -> PluginSummary in
            guard let entry = entries.withLock({ $0.removeValue(forKey: kind) }) else { throw .notLoaded(kind) }
            registry.unregister(kind)
            if !keepFile {
                let path = typeDirectory(entry.summary.type).appendingPathComponent(entry.summary.fileName)
                do {
                    try FileManager.default.removeItem(at: path)
                } catch {
                    logger.warning("plugin file not deleted", metadata: ["file": "\(path.path)", "reason": "\(error.localizedDescription)"])
                }
            }
            logger.info("plugin unloaded", metadata: ["kind": "\(kind)", "kept_file": "\(keepFile)"])
            return entry.summary
        }.get()
    }

    // MARK: Helpers

    /// Runs `work` on the manager's serial queue (never on the cooperative pool).
    private func onQueue<T: Sendable>(_ work: @escaping @Sendable () throws(PluginManagerError) -> T) async -> Result<T, PluginManagerError> {
        do {
            return .success(try await queue.run { try work() })
        } catch {
            return .failure(error as? PluginManagerError ?? .storage("plugin operation failed: \(error)"))
        }
    }

    /// Loads a private, uniquely named copy of `path` and deletes the copy (the loaded code
    /// stays mapped).
    private func load(copyOf path: String, fileName: String, type: PluginType) throws(PluginManagerError) -> LoadedPlugin {
        guard let loader = loaders[type] else { throw .unsupportedType(type) }
        let files = FileManager.default
        let copy = stagingDirectory.appendingPathComponent("load-\(UUID().uuidString)-\(fileName)")
        do {
            try files.createDirectory(at: stagingDirectory, withIntermediateDirectories: true)
            try files.copyItem(atPath: path, toPath: copy.path)
        } catch {
            throw .storage("cannot stage '\(fileName)' for loading: \(error.localizedDescription)")
        }
        defer { try? files.removeItem(at: copy) }
        do {
            return try loader.load(fileAt: copy.path, displayName: fileName)
        } catch {
            throw .loadFailed(file: fileName, reason: "\(error)")
        }
    }

    private func checkNotBuiltIn(_ kind: String) throws(PluginManagerError) {
        let managed = entries.withLock { $0[kind] != nil }
        if !managed, registry.definition(for: kind) != nil {
            throw .conflict("node kind '\(kind)' is already registered by the server; refusing to overwrite it with a plugin")
        }
    }

    private func makeSummary(_ loaded: LoadedPlugin, type: PluginType, fileName: String, sha256: String, size: Int, version: Int) -> PluginSummary {
        PluginSummary(
            kind: loaded.kind, originalKind: loaded.originalKind, type: type, fileName: fileName, sha256: sha256, size: size,
            categories: loaded.definition.categories, description: loaded.definition.description,
            inputs: loaded.definition.inputs, outputs: loaded.definition.outputs,
            loadedAtMs: UInt64(max(0, Date().timeIntervalSince1970 * 1000)), version: version
        )
    }

    /// Hex SHA-256 of a file, read in chunks.
    static func sha256(ofFileAt path: String) throws(PluginManagerError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .storage("cannot read '\(path)'") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// Incremental SHA-256 for uploads written as they arrive.
public struct PluginDigest {
    private var hasher = SHA256()
    public init() {}
    public mutating func update(_ bytes: [UInt8]) { hasher.update(data: bytes) }
    public func hex() -> String { hasher.finalize().map { String(format: "%02x", $0) }.joined() }
}
