import StreamKitCore
import StreamKitServer
import Testing

@Suite("Default skit.toml")
struct ConfigurationTOMLTests {
    @Test func defaultTOMLRoundTrips() throws {
        let text = ServerConfiguration.defaultTOML()
        let (configuration, warnings) = try ServerConfiguration.load(toml: text)
        #expect(configuration == ServerConfiguration())
        #expect(warnings.isEmpty)
    }

    @Test func defaultTOMLMentionsEveryKey() {
        let text = ServerConfiguration.defaultTOML()
        #expect(text.hasPrefix("# Default skit configuration file\n"))
        let keys = [
            "address", "tls", "cert_path", "key_path", "samples_dir", "max_body_size", "base_path", "moq_address", "moq_gateway_url",
            "websocket_max_message_bytes", "multipart_max_fields", "shutdown_timeout_secs", "allowed_origins",
            "directory", "allow_http_management", "max_upload_size", "allowed_file_paths", "allowed_write_paths",
            "console_enable", "console_level", "file_enable", "file_level", "file_path", "file_format",
            "enable", "otlp_endpoint", "otlp_headers", "tracing_enable", "otlp_traces_endpoint", "tokio_console",
            "profile", "packet_batch_size", "node_input_capacity", "pin_distributor_capacity", "media_channel_capacity",
            "io_channel_capacity", "codec_channel_capacity", "stream_channel_capacity", "demuxer_buffer_size",
            "moq_peer_channel_capacity", "keep_models_loaded", "max_memory_mb", "enabled", "plugins",
            "default_timeout_ms", "default_memory_limit_mb", "global_fetch_allowlist",
            "default_role", "role_header", "allow_insecure_no_auth", "max_concurrent_sessions", "max_concurrent_oneshots",
            "unknown_role_fallback", "read_timeout_secs", "write_timeout_secs", "max_connections", "max_connections_per_address",
        ]
        let lines = text.split(separator: "\n").map(String.init)
        for key in keys {
            #expect(lines.contains { $0.hasPrefix("\(key) = ") || $0.hasPrefix("# \(key) = ") }, "\(key) missing")
        }
        for section in ["[server]", "[server.cors]", "[plugins]", "[security]", "[log]", "[telemetry]", "[engine]",
                        "[engine.oneshot]", "[engine.advanced]", "[resources]", "[resources.prewarm]", "[script]",
                        "[script.secrets]", "[permissions]", "[permissions.roles.admin]", "[permissions.roles.user]"] {
            #expect(lines.contains(section), "\(section) missing")
        }
        #expect(text.contains("# Address to listen on (IP:port). Non-loopback addresses need permissions.role_header or allow_insecure_no_auth.\n"))
        #expect(text.contains("Default: false (the original defaults to true)"))
    }

    @Test func nonDefaultDocumentRoundTrips() throws {
        var configuration = ServerConfiguration()
        configuration.server.basePath = "/s/x"
        configuration.server.cors.allowedOrigins = ["*"]
        configuration.telemetry.otlpHeaders = ["Authorization": "Bearer \"quoted\"\n", "x-key": "v"]
        configuration.engine.profile = .highThroughput
        configuration.engine.oneshot.ioChannelCapacity = 3
        configuration.resources.prewarm.plugins = [
            .init(kind: "plugin::native::whisper", params: .object(["use_gpu": .bool(true), "n": .number(2), "list": .array([.string("a")])]),
                  fallbackParams: .object(["use_gpu": .bool(false)])),
        ]
        configuration.script.globalFetchAllowlist = [.init(url: "https://api.example.com/*", methods: ["GET", "POST"])]
        configuration.script.secrets["my key"] = .init(env: "MY_KEY", type: .token, allowedFetchURLs: ["https://a/*"], description: "d")
        var role = RolePermissions()
        role.listSessions = true
        role.allowedNodes = ["audio::*"]
        configuration.permissions.roles["read only"] = role
        configuration.permissions.maxConcurrentOneshots = 0
        let (loaded, _) = try ServerConfiguration.load(toml: configuration.tomlDocument())
        #expect(loaded == configuration)
    }

    @Test func originalExampleShapeLoads() throws {
        let (configuration, warnings) = try ServerConfiguration.load(toml: """
        [server]
        address = "127.0.0.1:4545"
        tls = false
        cert_path = ""
        key_path = ""
        samples_dir = "./samples/pipelines"
        max_body_size = 104857600
        # moq_gateway_url = "https://example.com/moq"

        [server.cors]
        allowed_origins = [
            "http://localhost",
            "http://localhost:*",
        ]

        [log]
        console_enable = true
        file_enable = true
        console_level = "info"
        file_level = "info"
        file_path = "./skit.log"
        file_format = "text"

        [telemetry]
        enable = true
        otlp_headers = { "Authorization" = "Bearer your-token" }
        tokio_console = false

        [engine]
        packet_batch_size = 32

        [engine.oneshot]
        packet_batch_size = 32

        [engine.advanced]

        [plugins]
        directory = ".plugins"

        [security]
        allowed_file_paths = ["samples/**"]

        [resources]
        keep_models_loaded = true

        [resources.prewarm]
        enabled = false

        [[resources.prewarm.plugins]]
        kind = "plugin::native::kokoro"
        params = { execution_provider = "cuda", model_dir = "./models/kokoro" }
        fallback_params = { execution_provider = "cpu", model_dir = "./models/kokoro" }

        [permissions]
        default_role = "admin"

        [permissions.roles.admin]
        create_sessions = true
        allowed_samples = ["*"]

        [permissions.roles.demo]
        create_sessions = true
        modify_sessions = true  # Can add/remove nodes
        tune_nodes = true       # Can adjust parameters
        load_plugins = false
        access_all_sessions = false
        allowed_samples = [
            "samples/pipelines/demo/*.yml",
            "demo/*.yaml",
        ]
        allowed_nodes = [
            "audio::gain",
            "core::*",  # All core nodes
        ]
        allowed_plugins = []
        allowed_assets = ["samples/audio/system/*"]

        [permissions.roles.user]
        load_plugins = false
        allowed_samples = ["oneshot/*.yml", "demo/*.yml"]

        [permissions.roles.readonly]
        list_sessions = true
        list_nodes = true
        allowed_samples = ["*"]
        allowed_nodes = ["*"]

        [script]
        default_timeout_ms = 100
        default_memory_limit_mb = 64
        global_fetch_allowlist = []

        [script.secrets]
        """, sourceName: "samples/skit.toml")
        #expect(warnings.isEmpty)
        #expect(configuration.log.fileEnable)
        #expect(configuration.telemetry.otlpHeaders == ["Authorization": "Bearer your-token"])
        #expect(configuration.resources.prewarm.plugins.first?.fallbackParams
            == .object(["execution_provider": .string("cpu"), "model_dir": .string("./models/kokoro")]))
        #expect(Set(configuration.permissions.roles.keys) == ["admin", "user", "demo", "readonly"])
        #expect(configuration.permissions.roles["admin"] == .admin)
        let demo = try #require(configuration.permissions.roles["demo"])
        #expect(demo.createSessions && demo.tuneNodes && !demo.destroySessions && !demo.listSamples)
        #expect(demo.allowedSamples == ["demo/*.yml", "demo/*.yaml"])
        #expect(demo.allowedNodes == ["audio::gain", "core::*"])
        #expect(configuration.permissions.roles["user"]?.allowedNodes == RolePermissions.user.allowedNodes)
        #expect(configuration.permissions.roles["user"]?.allowedSamples == ["oneshot/*.yml", "demo/*.yml"])
        #expect(configuration.permissions.roles["readonly"]?.createSessions == false)
    }

    @Test func dockerExampleShapeLoads() throws {
        let (configuration, _) = try ServerConfiguration.load(toml: """
        [server]
        address = "0.0.0.0:4545"
        samples_dir = "/opt/streamkit/samples/pipelines"
        moq_gateway_url = "http://127.0.0.1:4545/moq"
        [plugins]
        directory = "/opt/streamkit/plugins"
        [engine]
        packet_batch_size = 8
        node_input_capacity = 8
        pin_distributor_capacity = 4
        [permissions]
        default_role = "user"
        allow_insecure_no_auth = true
        """)
        #expect(configuration.server.moqGatewayURL == "http://127.0.0.1:4545/moq")
        #expect(configuration.permissions.allowInsecureNoAuth)
        #expect(configuration.engineConfiguration().nodeInputCapacity == 8)
    }
}
