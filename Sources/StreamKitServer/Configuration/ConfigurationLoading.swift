import Foundation

extension ServerConfiguration {
    /// The environment variable (the original's) that also sets `server.websocket_max_message_bytes`.
    public static let websocketMaxMessageBytesVariable = "SK_WEBSOCKET_MAX_MESSAGE_BYTES"

    /// Loads the configuration: built-in defaults, then the TOML file at `path` (when it exists), then
    /// `SK_WEBSOCKET_MAX_MESSAGE_BYTES`, then the `SK_<SECTION>__<KEY>[__<SUBKEY>…]` environment overrides.
    ///
    /// Tables merge key by key; scalars and arrays replace. The `admin` and `user` roles always exist and keep
    /// their built-in values for keys a layer leaves out; other roles start with nothing allowed.
    /// Environment names are lower-cased into key paths (`SK_SERVER__CORS__ALLOWED_ORIGINS` →
    /// `server.cors.allowed_origins`); their text is read as the type the key expects (arrays as
    /// `["a", "b"]` or `a,b`). Names without `__` (such as `SK_ROLE`) are not overrides.
    ///
    /// - Parameters:
    ///   - path: The file to read; nil reads no file. A path that does not exist is not an error.
    ///   - environment: The process environment (pass `ProcessInfo.processInfo.environment`).
    /// - Returns: The configuration, and warnings worth logging (such as a missing file).
    /// - Throws: ``ConfigurationError`` listing every problem: unknown keys (with a "did you mean"),
    ///   values of the wrong type or out of range, invalid TOML, an unreadable file.
    public static func load(
        fileAt path: String?, environment: [String: String]
    ) throws(ConfigurationError) -> (ServerConfiguration, warnings: [String]) {
        guard let path else { return try load(toml: nil, sourceName: "skit.toml", environment: environment) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            let (configuration, warnings) = try load(toml: nil, sourceName: path, environment: environment)
            return (configuration, ["config file '\(path)' not found, using defaults"] + warnings)
        }
        let text: String
        do {
            guard !isDirectory.boolValue else { throw CocoaError(.fileReadUnknown) }
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(problems: [
                ConfigurationProblem(keyPath: "", message: "cannot read config file '\(path)': it is a directory or not readable UTF-8 text"),
            ])
        }
        return try load(toml: text, sourceName: path, environment: environment)
    }

    /// Like ``load(fileAt:environment:)`` with the file's text given directly (nil: no file).
    ///
    /// - Parameters:
    ///   - toml: The TOML document, or nil for none.
    ///   - sourceName: How messages name the document (`unknown key 'x' in <sourceName>`).
    ///   - environment: Environment variables to apply on top.
    public static func load(
        toml: String?, sourceName: String = "skit.toml", environment: [String: String] = [:]
    ) throws(ConfigurationError) -> (ServerConfiguration, warnings: [String]) {
        var configuration = ServerConfiguration()
        var problems: [ConfigurationProblem] = []
        var warnings: [String] = []

        if let toml {
            switch ConfigValue.parseDocument(toml) {
            case .success(let table):
                var reader = ConfigReader(origin: .file(sourceName))
                configuration.apply(table, reader: &reader)
                problems += reader.problems.sortedByKeyPath()
            case .failure(let error):
                problems.append(ConfigurationProblem(keyPath: "", message: "\(sourceName) is not valid TOML: \(error.message)"))
            }
        }

        if let raw = environment[websocketMaxMessageBytesVariable] {
            if let bytes = Int(raw.configTrimmed()), bytes > 0 {
                configuration.server.websocketMaxMessageBytes = bytes
            } else {
                problems.append(ConfigurationProblem(
                    keyPath: "server.websocket_max_message_bytes",
                    message: "\(websocketMaxMessageBytesVariable): expected a positive integer, got \(TOMLText.quoted(raw))"
                ))
            }
        }

        let (overrides, environmentProblems) = environmentOverrides(environment)
        problems += environmentProblems
        var reader = ConfigReader(origin: .environment)
        configuration.apply(overrides, reader: &reader)
        problems += reader.problems.sortedByKeyPath()

        configuration.normalize()
        problems += configuration.crossCheckProblems()
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
        warnings += configuration.ignoredSettingWarnings()
        return (configuration, warnings)
    }

    /// Builds a table from `SK_A__B__C=value` variables: path `a.b.c`, value kept as raw text.
    static func environmentOverrides(_ environment: [String: String]) -> (ConfigTable, [ConfigurationProblem]) {
        var root = ConfigTable()
        var problems: [ConfigurationProblem] = []
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            guard name.hasPrefix("SK_") else { continue }
            let rest = name.dropFirst(3)
            guard rest.contains("__") else { continue }
            let components = rest.components(separatedBy: "__").map { $0.lowercased() }
            guard !components.contains(where: \.isEmpty) else {
                problems.append(ConfigurationProblem(
                    keyPath: "", message: "environment variable \(name): empty key between '__' separators"
                ))
                continue
            }
            if !insert(.environment(value), at: components[...], into: &root) {
                let keyPath = components.joined(separator: ".")
                problems.append(ConfigurationProblem(
                    keyPath: keyPath,
                    message: "environment variable \(name) conflicts with another SK_ variable setting '\(keyPath)' or a key around it"
                ))
            }
        }
        return (root, problems)
    }

    private static func insert(_ value: ConfigValue, at path: ArraySlice<String>, into table: inout ConfigTable) -> Bool {
        guard let key = path.first else { return false }
        let rest = path.dropFirst()
        if rest.isEmpty {
            guard table[key] == nil else { return false }
            table[key] = value
            return true
        }
        var child: ConfigTable
        switch table[key] {
        case nil: child = ConfigTable()
        case .table(let existing)?: child = existing
        default: return false
        }
        let inserted = insert(value, at: rest, into: &child)
        table[key] = .table(child)
        return inserted
    }

    /// Problems only visible once every layer is applied.
    func crossCheckProblems() -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        if ListenAddress(parsing: server.address) == nil {
            problems.append(ConfigurationProblem(
                keyPath: "server.address",
                message: "server.address: expected a literal IP:port (like 127.0.0.1:4545 or [::1]:4545; host names are not resolved), got \(TOMLText.quoted(server.address))"
            ))
        }
        if let header = permissions.roleHeader, !RoleResolver.isValidHeaderName(header.configTrimmed()) {
            // A blank header name would disable header roles silently, and with them the only authentication
            // a public bind has: refuse anything that is not a real header name, as an empty one is refused.
            problems.append(ConfigurationProblem(
                keyPath: "permissions.role_header",
                message: "permissions.role_header: expected an HTTP header name (letters, digits and !#$%&'*+-.^_`|~, such as x-role), got \(TOMLText.quoted(header)); leave it unset to ignore role headers"
            ))
        }
        if permissions.roles[permissions.defaultRole] == nil && !permissions.unknownRoleFallback {
            problems.append(ConfigurationProblem(
                keyPath: "permissions.default_role",
                message: "permissions.default_role: role \(TOMLText.quoted(permissions.defaultRole)) is not defined in permissions.roles (defined: \(permissions.roles.keys.sorted().joined(separator: ", ")))"
            ))
        }
        for name in script.secrets.keys.sorted() where script.secrets[name]?.env.isEmpty ?? false {
            let keyPath = "script.secrets.\(name).env"
            problems.append(ConfigurationProblem(
                keyPath: keyPath, message: "\(keyPath): required key missing (the environment variable holding the secret)"
            ))
        }
        return problems
    }

    /// Warnings for settings the original honours but StreamKit for Swift does not.
    func ignoredSettingWarnings() -> [String] {
        var warnings: [String] = []
        if telemetry.tokioConsole { warnings.append("telemetry.tokio_console has no effect in StreamKit for Swift") }
        return warnings
    }

    /// The parsed `server.address` (always valid in a loaded configuration).
    public var listenAddress: ListenAddress? { ListenAddress(parsing: server.address) }
}

extension [ConfigurationProblem] {
    /// Stable order by key path, so messages come out the same way every time.
    fileprivate func sortedByKeyPath() -> [ConfigurationProblem] {
        enumerated().sorted { ($0.element.keyPath, $0.offset) < ($1.element.keyPath, $1.offset) }.map(\.element)
    }
}
