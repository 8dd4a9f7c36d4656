/// Applying one configuration layer (a parsed file or the environment) on top of a configuration:
/// keys present in the layer replace the current values, tables merge key by key, arrays replace wholesale.
extension ServerConfiguration {
    static let sectionKeys = ["server", "plugins", "security", "log", "telemetry", "engine", "resources", "script", "permissions"]

    mutating func apply(_ root: ConfigTable, reader: inout ConfigReader) {
        for (key, value, path) in reader.entries(of: .table(root), at: "", known: Self.sectionKeys) {
            switch key {
            case "server": server.apply(value, at: path, reader: &reader)
            case "plugins": plugins.apply(value, at: path, reader: &reader)
            case "security": security.apply(value, at: path, reader: &reader)
            case "log": log.apply(value, at: path, reader: &reader)
            case "telemetry": telemetry.apply(value, at: path, reader: &reader)
            case "engine": engine.apply(value, at: path, reader: &reader)
            case "resources": resources.apply(value, at: path, reader: &reader)
            case "script": script.apply(value, at: path, reader: &reader)
            case "permissions": permissions.apply(value, at: path, reader: &reader)
            default: break
            }
        }
    }
}

/// Assigns `value` to `target` when the reader accepted it.
private func assign<Value>(_ target: inout Value, _ value: Value?) {
    if let value { target = value }
}

extension ServerConfiguration.Server {
    static let keys = [
        "address", "tls", "cert_path", "key_path", "samples_dir", "max_body_size", "base_path", "moq_address",
        "moq_gateway_url", "cors", "websocket_max_message_bytes", "multipart_max_fields", "shutdown_timeout_secs",
        "read_timeout_secs", "write_timeout_secs", "max_connections", "max_connections_per_address",
    ]

    mutating func apply(_ table: ConfigValue, at path: String, reader: inout ConfigReader) {
        for (key, value, path) in reader.entries(of: table, at: path, known: Self.keys) {
            switch key {
            case "address": assign(&address, reader.string(value, at: path))
            case "tls": assign(&tls, reader.bool(value, at: path))
            case "cert_path": assign(&certPath, reader.string(value, at: path))
            case "key_path": assign(&keyPath, reader.string(value, at: path))
            case "samples_dir": assign(&samplesDir, reader.string(value, at: path))
            case "max_body_size": assign(&maxBodySize, reader.integer(value, at: path, minimum: 0))
            case "base_path": assign(&basePath, reader.optionalString(value, at: path))
            case "moq_address": assign(&moqAddress, reader.optionalString(value, at: path))
            case "moq_gateway_url": assign(&moqGatewayURL, reader.optionalString(value, at: path))
            case "cors":
                for (_, value, path) in reader.entries(of: value, at: path, known: ["allowed_origins"]) {
                    assign(&cors.allowedOrigins, reader.stringArray(value, at: path))
                }
            case "websocket_max_message_bytes": assign(&websocketMaxMessageBytes, reader.integer(value, at: path, minimum: 1))
            case "multipart_max_fields": assign(&multipartMaxFields, reader.integer(value, at: path, minimum: 1))
            case "shutdown_timeout_secs": assign(&shutdownTimeoutSecs, reader.integer(value, at: path, minimum: 0))
            case "read_timeout_secs": assign(&readTimeoutSecs, reader.integer(value, at: path, minimum: 1))
            case "write_timeout_secs": assign(&writeTimeoutSecs, reader.integer(value, at: path, minimum: 1))
            case "max_connections": assign(&maxConnections, reader.integer(value, at: path, minimum: 1))
            case "max_connections_per_address": assign(&maxConnectionsPerAddress, reader.integer(value, at: path, minimum: 1))
            default: break
            }
        }
    }
}

extension ServerConfiguration.Plugins {
    static let keys = ["directory", "allow_http_management", "max_upload_size", "wasm_cpu_budget_ms", "wasm_memory_limit_mb"]

    mutating func apply(_ table: ConfigValue, at path: String, reader: inout ConfigReader) {
        for (key, value, path) in reader.entries(of: table, at: path, known: Self.keys) {
            switch key {
            case "directory": assign(&directory, reader.string(value, at: path))
            case "allow_http_management": assign(&allowHTTPManagement, reader.bool(value, at: path))
            case "max_upload_size": assign(&maxUploadSize, reader.integer(value, at: path, minimum: 0))
            case "wasm_cpu_budget_ms": assign(&wasmCPUBudgetMs, reader.integer(value, at: path, minimum: 1))
            case "wasm_memory_limit_mb": assign(&wasmMemoryLimitMB, reader.integer(value, at: path, minimum: 1))
            default: break
            }
        }
    }
}

extension ServerConfiguration.Security {
    static let keys = ["allowed_file_paths", "allowed_write_paths"]

    mutating func apply(_ table: ConfigValue, at path: String, reader: inout ConfigReader) {
        for (key, value, path) in reader.entries(of: table, at: path, known: Self.keys) {
            switch key {
            case "allowed_file_paths": assign(&allowedFilePaths, reader.stringArray(value, at: path))
            case "allowed_write_paths": assign(&allowedWritePaths, reader.stringArray(value, at: path))
            default: break
            }
        }
    }
}

extension ServerConfiguration.Log {
    static let keys = ["console_enable", "console_level", "file_enable", "file_level", "file_path", "file_format"]

    mutating func apply(_ table: ConfigValue, at path: String, reader: inout ConfigReader) {
        for (key, value, path) in reader.entries(of: table, at: path, known: Self.keys) {
            switch key {
            case "console_enable": assign(&consoleEnable, reader.bool(value, at: path))
            case "console_level": assign(&consoleLevel, reader.choice(value, at: path, as: ServerConfiguration.LogLevel.self))
            case "file_enable": assign(&fileEnable, reader.bool(value, at: path))
            case "file_level": assign(&fileLevel, reader.choice(value, at: path, as: ServerConfiguration.LogLevel.self))
            case "file_path": assign(&filePath, reader.string(value, at: path))
            case "file_format": assign(&fileFormat, reader.choice(value, at: path, as: ServerConfiguration.LogFormat.self))
            default: break
            }
        }
    }
}

extension ServerConfiguration.Telemetry {
    static let keys = ["enable", "otlp_endpoint", "otlp_headers", "tracing_enable", "otlp_traces_endpoint", "tokio_console"]

    mutating func apply(_ table: ConfigValue, at path: String, reader: inout ConfigReader) {
        for (key, value, path) in reader.entries(of: table, at: path, known: Self.keys) {
            switch key {
            case "enable": assign(&enable, reader.bool(value, at: path))
            case "otlp_endpoint": assign(&otlpEndpoint, reader.optionalString(value, at: path))
            case "otlp_headers":
                for (name, value, path) in reader.mapEntries(of: value, at: path) {
                    if let header = reader.string(value, at: path) { otlpHeaders[name] = header }
                }
            case "tracing_enable": assign(&tracingEnable, reader.bool(value, at: path))
            case "otlp_traces_endpoint": assign(&otlpTracesEndpoint, reader.optionalString(value, at: path))
            case "tokio_console": assign(&tokioConsole, reader.bool(value, at: path))
            default: break
            }
        }
    }
}

extension ServerConfiguration.Engine {
    static let keys = ["profile", "packet_batch_size", "node_input_capacity", "pin_distributor_capacity", "oneshot", "advanced"]
    static let oneshotKeys = ["packet_batch_size", "media_channel_capacity", "io_channel_capacity"]
    static let advancedKeys = ["codec_channel_capacity", "stream_channel_capacity", "demuxer_buffer_size", "moq_peer_channel_capacity"]

    mutating func apply(_ table: ConfigValue, at path: String, reader: inout ConfigReader) {
        for (key, value, path) in reader.entries(of: table, at: path, known: Self.keys) {
            switch key {
            case "profile": assign(&profile, reader.choice(value, at: path, as: ServerConfiguration.EngineProfile.self))
            case "packet_batch_size": assign(&packetBatchSize, reader.integer(value, at: path, minimum: 1))
            case "node_input_capacity": assign(&nodeInputCapacity, reader.integer(value, at: path, minimum: 1))
            case "pin_distributor_capacity": assign(&pinDistributorCapacity, reader.integer(value, at: path, minimum: 1))
            case "oneshot":
                for (key, value, path) in reader.entries(of: value, at: path, known: Self.oneshotKeys) {
                    let number = reader.integer(value, at: path, minimum: 1)
                    switch key {
                    case "packet_batch_size": assign(&oneshot.packetBatchSize, number)
                    case "media_channel_capacity": assign(&oneshot.mediaChannelCapacity, number)
                    case "io_channel_capacity": assign(&oneshot.ioChannelCapacity, number)
                    default: break
                    }
                }
            case "advanced":
                for (key, value, path) in reader.entries(of: value, at: path, known: Self.advancedKeys) {
                    let number = reader.integer(value, at: path, minimum: 1)
                    switch key {
                    case "codec_channel_capacity": assign(&advanced.codecChannelCapacity, number)
                    case "stream_channel_capacity": assign(&advanced.streamChannelCapacity, number)
                    case "demuxer_buffer_size": assign(&advanced.demuxerBufferSize, number)
                    case "moq_peer_channel_capacity": assign(&advanced.moqPeerChannelCapacity, number)
                    default: break
                    }
                }
            default: break
            }
        }
    }
}

extension ServerConfiguration.Resources {
    static let keys = ["keep_models_loaded", "max_memory_mb", "prewarm"]
    static let prewarmKeys = ["enabled", "plugins"]
    static let pluginKeys = ["kind", "params", "fallback_params"]

    mutating func apply(_ table: ConfigValue, at path: String, reader: inout ConfigReader) {
        for (key, value, path) in reader.entries(of: table, at: path, known: Self.keys) {
            switch key {
            case "keep_models_loaded": assign(&keepModelsLoaded, reader.bool(value, at: path))
            case "max_memory_mb": assign(&maxMemoryMB, reader.integer(value, at: path, minimum: 1))
            case "prewarm":
                for (key, value, path) in reader.entries(of: value, at: path, known: Self.prewarmKeys) {
                    switch key {
                    case "enabled": assign(&prewarm.enabled, reader.bool(value, at: path))
                    case "plugins": assign(&prewarm.plugins, Self.readPlugins(value, at: path, reader: &reader))
                    default: break
                    }
                }
            default: break
            }
        }
    }

    private static func readPlugins(
        _ value: ConfigValue, at path: String, reader: inout ConfigReader
    ) -> [ServerConfiguration.PrewarmPlugin]? {
        guard let elements = reader.tableArray(value, at: path) else { return nil }
        let problemsBefore = reader.problems.count
        var plugins: [ServerConfiguration.PrewarmPlugin] = []
        for (element, elementPath) in elements {
            var plugin = ServerConfiguration.PrewarmPlugin(kind: "")
            var hasKind = false
            for (key, value, path) in reader.entries(of: element, at: elementPath, known: pluginKeys) {
                switch key {
                case "kind":
                    if let kind = reader.string(value, at: path) { plugin.kind = kind }
                    hasKind = true
                case "params": plugin.params = reader.json(value)
                case "fallback_params": plugin.fallbackParams = reader.json(value)
                default: break
                }
            }
            if case .table = element, !hasKind {
                reader.report(elementPath + ".kind", "\(elementPath).kind: required key missing (the node kind to pre-warm)")
            }
            plugins.append(plugin)
        }
        return reader.problems.count == problemsBefore ? plugins : nil
    }
}

extension ServerConfiguration.Script {
    static let keys = ["default_timeout_ms", "default_memory_limit_mb", "global_fetch_allowlist", "secrets"]
    static let ruleKeys = ["url", "methods"]
    static let secretKeys = ["env", "type", "allowed_fetch_urls", "description"]

    mutating func apply(_ table: ConfigValue, at path: String, reader: inout ConfigReader) {
        for (key, value, path) in reader.entries(of: table, at: path, known: Self.keys) {
            switch key {
            case "default_timeout_ms": assign(&defaultTimeoutMs, reader.integer(value, at: path, minimum: 1))
            case "default_memory_limit_mb": assign(&defaultMemoryLimitMB, reader.integer(value, at: path, minimum: 1))
            case "global_fetch_allowlist": assign(&globalFetchAllowlist, Self.readRules(value, at: path, reader: &reader))
            case "secrets":
                for (name, value, path) in reader.mapEntries(of: value, at: path) {
                    var secret = secrets[name] ?? ServerConfiguration.ScriptSecret(env: "")
                    for (key, value, path) in reader.entries(of: value, at: path, known: Self.secretKeys) {
                        switch key {
                        case "env": assign(&secret.env, reader.string(value, at: path))
                        case "type": assign(&secret.type, reader.choice(value, at: path, as: ServerConfiguration.SecretType.self))
                        case "allowed_fetch_urls": assign(&secret.allowedFetchURLs, reader.stringArray(value, at: path))
                        case "description": assign(&secret.description, reader.string(value, at: path))
                        default: break
                        }
                    }
                    secrets[name] = secret
                }
            default: break
            }
        }
    }

    private static func readRules(
        _ value: ConfigValue, at path: String, reader: inout ConfigReader
    ) -> [ServerConfiguration.FetchRule]? {
        guard let elements = reader.tableArray(value, at: path) else { return nil }
        let problemsBefore = reader.problems.count
        var rules: [ServerConfiguration.FetchRule] = []
        for (element, elementPath) in elements {
            var url: String?
            var methods: [String]?
            var seen: Set<String> = []
            for (key, value, path) in reader.entries(of: element, at: elementPath, known: ruleKeys) {
                seen.insert(key)
                switch key {
                case "url": url = reader.string(value, at: path)
                case "methods": methods = reader.stringArray(value, at: path)
                default: break
                }
            }
            if case .table = element {
                for key in ruleKeys where !seen.contains(key) {
                    reader.report("\(elementPath).\(key)", "\(elementPath).\(key): required key missing")
                }
            }
            if let url, let methods { rules.append(ServerConfiguration.FetchRule(url: url, methods: methods)) }
        }
        return reader.problems.count == problemsBefore ? rules : nil
    }
}

extension ServerConfiguration.Permissions {
    static let keys = [
        "default_role", "role_header", "allow_insecure_no_auth", "unknown_role_fallback", "max_concurrent_sessions", "max_concurrent_oneshots", "roles",
    ]

    mutating func apply(_ table: ConfigValue, at path: String, reader: inout ConfigReader) {
        for (key, value, path) in reader.entries(of: table, at: path, known: Self.keys) {
            switch key {
            case "default_role": assign(&defaultRole, reader.string(value, at: path))
            case "role_header": assign(&roleHeader, reader.optionalString(value, at: path))
            case "allow_insecure_no_auth": assign(&allowInsecureNoAuth, reader.bool(value, at: path))
            case "unknown_role_fallback": assign(&unknownRoleFallback, reader.bool(value, at: path))
            case "max_concurrent_sessions": assign(&maxConcurrentSessions, reader.integer(value, at: path, minimum: 0))
            case "max_concurrent_oneshots": assign(&maxConcurrentOneshots, reader.integer(value, at: path, minimum: 0))
            case "roles":
                for (name, value, path) in reader.mapEntries(of: value, at: path) {
                    // Built-in roles keep their values for omitted keys; new roles start from nothing allowed.
                    var role = roles[name] ?? RolePermissions()
                    role.apply(value, at: path, reader: &reader)
                    roles[name] = role
                }
            default: break
            }
        }
    }
}

extension RolePermissions {
    mutating func apply(_ table: ConfigValue, at path: String, reader: inout ConfigReader) {
        let known = CodingKeys.allCases.map(\.rawValue)
        for (key, value, path) in reader.entries(of: table, at: path, known: known) {
            guard let codingKey = CodingKeys(rawValue: key) else { continue }
            switch codingKey {
            case .allowedSamples: assign(&allowedSamples, reader.stringArray(value, at: path))
            case .allowedNodes: assign(&allowedNodes, reader.stringArray(value, at: path))
            case .allowedPlugins: assign(&allowedPlugins, reader.stringArray(value, at: path))
            case .allowedAssets: assign(&allowedAssets, reader.stringArray(value, at: path))
            default:
                if let flag = reader.bool(value, at: path) { setFlag(codingKey, to: flag) }
            }
        }
    }

    private mutating func setFlag(_ key: CodingKeys, to flag: Bool) {
        switch key {
        case .createSessions: createSessions = flag
        case .destroySessions: destroySessions = flag
        case .listSessions: listSessions = flag
        case .modifySessions: modifySessions = flag
        case .tuneNodes: tuneNodes = flag
        case .loadPlugins: loadPlugins = flag
        case .deletePlugins: deletePlugins = flag
        case .listNodes: listNodes = flag
        case .listSamples: listSamples = flag
        case .readSamples: readSamples = flag
        case .writeSamples: writeSamples = flag
        case .deleteSamples: deleteSamples = flag
        case .accessAllSessions: accessAllSessions = flag
        case .uploadAssets: uploadAssets = flag
        case .deleteAssets: deleteAssets = flag
        case .allowedSamples, .allowedNodes, .allowedPlugins, .allowedAssets: break
        }
    }
}
