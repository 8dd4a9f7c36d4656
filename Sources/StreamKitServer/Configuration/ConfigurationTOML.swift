extension ServerConfiguration {
    /// The default configuration as a commented `skit.toml`: every key present with what it does and its
    /// default (keys that are unset by default appear commented out with an example). Loading the text
    /// gives back exactly `ServerConfiguration()`.
    public static func defaultTOML() -> String {
        ServerConfiguration().tomlDocument()
    }

    /// This configuration as a commented `skit.toml` in the layout of ``defaultTOML()``. Loading the text
    /// gives back this configuration.
    public func tomlDocument() -> String {
        typealias W = TOMLDocumentWriter
        var w = TOMLDocumentWriter()
        w.comment("""
        Default skit configuration file
        
        Settings are read from the built-in defaults, then this file, then environment variables:
        SK_<SECTION>__<KEY>[__<SUBKEY>] (for example SK_SERVER__ADDRESS=0.0.0.0:4545,
        SK_PERMISSIONS__DEFAULT_ROLE=user, SK_SERVER__CORS__ALLOWED_ORIGINS="http://a.example,http://b.example").
        Tables merge key by key; values and arrays replace. Unknown keys and wrongly typed values are errors.
        Keys shown commented out are unset by default.
        """)

        // [server]
        w.table(["server"], "HTTP server.")
        w.entry("address", W.string(server.address), """
        Address to listen on (IP:port). Non-loopback addresses need permissions.role_header or allow_insecure_no_auth.
        IPv6: "[::1]:4545". Host names are not accepted. Default: "127.0.0.1:4545".
        """)
        w.entry("tls", W.bool(server.tls), "Serve HTTPS with cert_path and key_path. Default: false.")
        w.entry("cert_path", W.string(server.certPath), "PEM certificate file (used when tls = true). Default: \"\".")
        w.entry("key_path", W.string(server.keyPath), "PEM private key file (used when tls = true). Default: \"\".")
        w.entry("samples_dir", W.string(server.samplesDir), "Directory of the sample pipelines. Default: \"./samples/pipelines\".")
        w.entry("max_body_size", W.int(server.maxBodySize), "Largest request body in bytes (oneshot requests). Default: 104857600 (100 MiB).")
        w.optionalEntry("base_path", server.basePath.map(W.string), example: "\"/s/abc\"", """
        Also serve everything under this sub-path (for reverse proxies), e.g. "/s/abc". Trimmed; "" or "/" mean none;
        a trailing "/" is removed and a leading "/" added. Default: unset.
        """)
        w.optionalEntry("moq_address", server.moqAddress.map(W.string), example: "\"127.0.0.1:4545\"",
                        "Reserved by the original for a separate MoQ listener; accepted, unused. Default: unset.")
        w.optionalEntry("moq_gateway_url", server.moqGatewayURL.map(W.string), example: "\"http://127.0.0.1:4545/moq\"",
                        "MoQ gateway URL handed to the UI by /api/v1/config. Default: unset.")
        w.entry("websocket_max_message_bytes", W.int(server.websocketMaxMessageBytes), """
        Largest inbound WebSocket message in bytes; must be > 0. The environment variable
        SK_WEBSOCKET_MAX_MESSAGE_BYTES also sets it. Default: 1048576 (1 MiB).
        """)
        w.entry("multipart_max_fields", W.int(server.multipartMaxFields), "Most parts accepted in one multipart request. Default: 16.")
        w.entry("shutdown_timeout_secs", W.int(server.shutdownTimeoutSecs),
                "Seconds a graceful shutdown (SIGINT/SIGTERM) waits before giving up. Default: 10.")
        w.entry("read_timeout_secs", W.int(server.readTimeoutSecs), """
        Seconds a connection may send nothing while its request is read, or sit idle between requests, before
        it is closed (and any oneshot slot it held is freed). Default: 30.
        """)
        w.entry("write_timeout_secs", W.int(server.writeTimeoutSecs), """
        Seconds a streamed response may wait for a client that does not read before the request is ended.
        Default: 30.
        """)
        w.entry("max_connections", W.int(server.maxConnections), """
        Most open connections (HTTP, control and media WebSockets together); more are answered 503 and closed.
        Default: 2048.
        """)
        w.entry("max_connections_per_address", W.int(server.maxConnectionsPerAddress), """
        Most open connections from one client IP address (behind a proxy, all clients share its address).
        Default: 512.
        """)

        w.table(["server", "cors"], "Browser origins allowed (CORS, the Origin check on mutating /api requests, WebSocket connections).")
        w.entry("allowed_origins", W.strings(server.cors.allowedOrigins), """
        "*" allows every origin; a pattern ending in ":*" matches any numeric port; anything else must match exactly.
        An empty list sends no CORS headers. Default: http(s)://localhost and http(s)://127.0.0.1, with or without a port.
        """)

        // [plugins]
        w.table(["plugins"], "Plugins.")
        w.entry("directory", W.string(plugins.directory), "Directory holding native/ and wasm/ plugin files (created if missing). Default: \".plugins\".")
        w.entry("allow_http_management", W.bool(plugins.allowHTTPManagement), "Allow uploading and deleting plugins over HTTP. Default: false.")
        w.entry("max_upload_size", W.int(plugins.maxUploadSize), "Largest plugin upload in bytes. Default: 104857600 (100 MiB).")
        w.entry("wasm_cpu_budget_ms", W.int(plugins.wasmCPUBudgetMs), "CPU budget of one call into a WASM plugin, in ms of the calling thread's CPU time (guest code and the host work it asks for; waiting does not count); exceeding it fails the node. Default: 50.")
        w.entry("wasm_memory_limit_mb", W.int(plugins.wasmMemoryLimitMB), "Memory cap of one WASM plugin instance (all its linear memories together), in MiB. Default: 64.")

        // [security]
        w.table(["security"], "Files nodes may touch. Glob patterns; relative ones are resolved against the working directory.")
        w.entry("allowed_file_paths", W.strings(security.allowedFilePaths), """
        Files core::file_reader and core::script (script_path) may read. "**" allows everything. Default: ["samples/**"].
        """)
        w.entry("allowed_write_paths", W.strings(security.allowedWritePaths),
                "Files core::file_writer may write. Empty denies every write. Default: [].")

        // [log]
        w.table(["log"], "Logging.")
        w.entry("console_enable", W.bool(log.consoleEnable), "Log to the console. Default: true.")
        w.entry("console_level", W.string(log.consoleLevel.rawValue), "Console level: debug, info, warn or error. Default: \"info\".")
        w.entry("file_enable", W.bool(log.fileEnable), "Also log to file_path. Default: false (the original defaults to true).")
        w.entry("file_level", W.string(log.fileLevel.rawValue), "File level: debug, info, warn or error. Default: \"info\".")
        w.entry("file_path", W.string(log.filePath), "Log file. Default: \"./skit.log\".")
        w.entry("file_format", W.string(log.fileFormat.rawValue), "Log file format: text or json. Default: \"text\".")

        // [telemetry]
        w.table(["telemetry"], """
        Telemetry. StreamKit for Swift serves Prometheus metrics at /metrics; the OpenTelemetry keys of the
        original are accepted so its files load, but have no effect.
        """)
        w.entry("enable", W.bool(telemetry.enable), "Collect metrics. Default: true.")
        w.optionalEntry("otlp_endpoint", telemetry.otlpEndpoint.map(W.string), example: "\"http://localhost:4318/v1/metrics\"",
                        "OTLP metrics export URL (original only). Default: unset.")
        w.entry("otlp_headers", W.stringMap(telemetry.otlpHeaders), "Headers sent with OTLP exports (original only). Default: {}.")
        w.entry("tracing_enable", W.bool(telemetry.tracingEnable), "Export traces (original only). Default: false.")
        w.optionalEntry("otlp_traces_endpoint", telemetry.otlpTracesEndpoint.map(W.string), example: "\"http://localhost:4318/v1/traces\"",
                        "OTLP traces export URL (original only). Default: unset.")
        w.entry("tokio_console", W.bool(telemetry.tokioConsole), "tokio-console support (original only). Default: false.")

        // [engine]
        w.table(["engine"], """
        Engine capacities for dynamic sessions. Capacities resolve as: explicit value, else the profile's, else the default.
        """)
        w.optionalEntry("profile", engine.profile.map { W.string($0.rawValue) }, example: "\"balanced\"", """
        Preset: "low-latency" (node inputs 8, distributors 4), "balanced" (32, 16) or "high-throughput" (128, 64).
        Default: unset.
        """)
        w.entry("packet_batch_size", W.int(engine.packetBatchSize), "Packets a node may take from its inputs at once. Default: 32.")
        w.optionalEntry("node_input_capacity", engine.nodeInputCapacity.map(W.int), example: "128",
                        "Packets queued per node input. Default: unset (128).")
        w.optionalEntry("pin_distributor_capacity", engine.pinDistributorCapacity.map(W.int), example: "64",
                        "Packets queued per output fan-out. Default: unset (64).")

        w.table(["engine", "oneshot"], "Engine capacities for oneshot runs (POST /api/v1/process).")
        w.entry("packet_batch_size", W.int(engine.oneshot.packetBatchSize), "Packets a node may take from its inputs at once. Default: 32.")
        w.optionalEntry("media_channel_capacity", engine.oneshot.mediaChannelCapacity.map(W.int), example: "256",
                        "Packets queued between nodes. Default: unset (the engine's oneshot default).")
        w.optionalEntry("io_channel_capacity", engine.oneshot.ioChannelCapacity.map(W.int), example: "16",
                        "Chunks buffered between the HTTP streams and the pipeline. Default: unset (16).")

        w.table(["engine", "advanced"], "Internal buffers of codec and container nodes. Change only when measuring.")
        w.optionalEntry("codec_channel_capacity", engine.advanced.codecChannelCapacity.map(W.int), example: "32",
                        "Packets between a codec and its worker. Default: unset (32).")
        w.optionalEntry("stream_channel_capacity", engine.advanced.streamChannelCapacity.map(W.int), example: "8",
                        "Packets on demuxer streaming channels. Default: unset (8).")
        w.optionalEntry("demuxer_buffer_size", engine.advanced.demuxerBufferSize.map(W.int), example: "65536",
                        "Demuxer read buffer in bytes. Default: unset (65536).")
        w.optionalEntry("moq_peer_channel_capacity", engine.advanced.moqPeerChannelCapacity.map(W.int), example: "100",
                        "Messages queued per MoQ peer. Default: unset (100).")

        // [resources]
        w.table(["resources"], "Caching of expensive resources such as ML models.")
        w.entry("keep_models_loaded", W.bool(resources.keepModelsLoaded),
                "Keep loaded models until unloaded or shutdown; false lets max_memory_mb evict them (LRU). Default: true.")
        w.optionalEntry("max_memory_mb", resources.maxMemoryMB.map(W.int), example: "8192",
                        "Memory budget of the resource cache in MiB. Default: unset (no limit).")

        w.table(["resources", "prewarm"], "Nodes created once at startup so their models are loaded before first use.")
        w.entry("enabled", W.bool(resources.prewarm.enabled), "Pre-warm at startup. Default: false.")
        w.entry("plugins", Self.prewarmList(resources.prewarm.plugins), """
        The nodes to pre-warm: { kind, params, fallback_params } (fallback_params are tried when params fail).
        Example: plugins = [{ kind = "plugin::native::whisper", params = { use_gpu = true }, fallback_params = { use_gpu = false } }]
        Default: [].
        """)

        // [script]
        w.table(["script"], "core::script nodes.")
        w.entry("default_timeout_ms", W.int(script.defaultTimeoutMs), "Time a script may spend per packet, in milliseconds. Default: 100.")
        w.entry("default_memory_limit_mb", W.int(script.defaultMemoryLimitMB), "Memory limit of a script runtime in MiB. Default: 64.")
        w.entry("global_fetch_allowlist", Self.fetchRuleList(script.globalFetchAllowlist), """
        URLs scripts may fetch(): { url = wildcard pattern, methods = [...] }. Empty blocks every fetch.
        Example: global_fetch_allowlist = [{ url = "https://api.example.com/*", methods = ["GET"] }]
        Default: [].
        """)
        w.table(["script", "secrets"], """
        Secrets by name, read from environment variables at startup; usable only as fetch() headers.
        Each [script.secrets.<name>] has env (required), type (url, token, apikey or string; default "string"),
        allowed_fetch_urls (default [] = no extra restriction) and description (default ""). Default: none.
        Example:
          [script.secrets.openai]
          env = "OPENAI_API_KEY"
          type = "apikey"
          allowed_fetch_urls = ["https://api.openai.com/*"]
        """)
        for name in script.secrets.keys.sorted() {
            guard let secret = script.secrets[name] else { continue }
            w.table(["script", "secrets", name])
            w.plain("env", W.string(secret.env))
            w.plain("type", W.string(secret.type.rawValue))
            w.plain("allowed_fetch_urls", W.strings(secret.allowedFetchURLs))
            w.plain("description", W.string(secret.description))
        }

        // [permissions]
        w.table(["permissions"], "Roles and limits. Roles are chosen per request: role_header, else SK_ROLE, else default_role.")
        w.entry("default_role", W.string(permissions.defaultRole), "Role used when nothing else names one. Default: \"admin\" (full access).")
        w.optionalEntry("role_header", permissions.roleHeader.map(W.string), example: "\"x-role\"", """
        Trusted request header naming the role. Set it only behind a proxy that authenticates users and strips
        client-sent copies. Default: unset (headers ignored).
        """)
        w.entry("allow_insecure_no_auth", W.bool(permissions.allowInsecureNoAuth),
                "Allow a non-loopback server.address without role_header. Default: false.")
        w.entry("unknown_role_fallback", W.bool(permissions.unknownRoleFallback), """
        Give a caller whose role (header or SK_ROLE) is not defined the default role's permissions, as the original
        does. Default: false (such a caller is refused with 403; so is a request with two role headers).
        """)
        w.optionalEntry("max_concurrent_sessions", permissions.maxConcurrentSessions.map(W.int), example: "50",
                        "Most dynamic sessions at once, all users together. Default: unset (unlimited).")
        w.optionalEntry("max_concurrent_oneshots", permissions.maxConcurrentOneshots.map(W.int), example: "100",
                        "Most oneshot runs at once, all users together. Default: unset (unlimited).")

        let builtIn = ["admin", "user"]
        let others = permissions.roles.keys.filter { !builtIn.contains($0) }.sorted()
        for name in builtIn + others {
            guard let role = permissions.roles[name] else { continue }
            let description: String = switch name {
            case "admin": """
                Built-in role: everything allowed. Built-in roles always exist; keys left out of an override keep
                these values. Other role names start with everything denied.
                Allowlists are glob patterns ("*" matches across "/" and "::"); [] denies all, ["*"] allows all.
                allowed_samples are relative to server.samples_dir; a plugin node must pass allowed_nodes and allowed_plugins.
                """
            case "user": "Built-in role: sessions and samples, but no plugin management, no file writer, only own sessions."
            default: "Custom role."
            }
            w.table(["permissions", "roles", name], description)
            for (flag, value) in role.flags { w.plain(flag, W.bool(value)) }
            w.plain("allowed_samples", W.strings(role.allowedSamples))
            w.plain("allowed_nodes", W.strings(role.allowedNodes))
            w.plain("allowed_plugins", W.strings(role.allowedPlugins))
            w.plain("allowed_assets", W.strings(role.allowedAssets))
        }
        return w.text
    }

    private static func prewarmList(_ plugins: [PrewarmPlugin]) -> String {
        if plugins.isEmpty { return "[]" }
        let items = plugins.map { plugin in
            var members = ["kind = \(TOMLText.quoted(plugin.kind))"]
            if let params = plugin.params { members.append("params = \(TOMLDocumentWriter.json(params))") }
            if let fallback = plugin.fallbackParams { members.append("fallback_params = \(TOMLDocumentWriter.json(fallback))") }
            return "    { " + members.joined(separator: ", ") + " },\n"
        }
        return "[\n" + items.joined() + "]"
    }

    private static func fetchRuleList(_ rules: [FetchRule]) -> String {
        if rules.isEmpty { return "[]" }
        let items = rules.map { "    { url = \(TOMLText.quoted($0.url)), methods = \(TOMLText.stringArray($0.methods)) },\n" }
        return "[\n" + items.joined() + "]"
    }
}
