import Foundation
import StreamKitServer
import Testing

@Suite("Configuration file and environment overrides")
struct ConfigurationOverrideTests {
    @Test func fileOverridesKeepOtherDefaults() throws {
        let configuration = try ConfigTestSupport.load("""
        [server]
        address = "0.0.0.0:8080"
        max_body_size = 1024

        [server.cors]
        allowed_origins = ["https://app.example.com"]

        [log]
        console_level = "debug"
        file_format = "json"

        [permissions]
        default_role = "user"
        role_header = "x-role"
        max_concurrent_sessions = 5
        """)
        #expect(configuration.server.address == "0.0.0.0:8080")
        #expect(configuration.server.maxBodySize == 1024)
        #expect(configuration.server.samplesDir == "./samples/pipelines")
        #expect(configuration.server.cors.allowedOrigins == ["https://app.example.com"])
        #expect(configuration.log.consoleLevel == .debug && configuration.log.fileFormat == .json)
        #expect(configuration.log.consoleEnable)
        #expect(configuration.permissions.defaultRole == "user")
        #expect(configuration.permissions.roleHeader == "x-role")
        #expect(configuration.permissions.maxConcurrentSessions == 5)
        #expect(configuration.permissions.maxConcurrentOneshots == nil)
        #expect(configuration.listenAddress?.isLoopback == false)
    }

    @Test func partialBuiltInRoleOverrideKeepsBuiltInValues() throws {
        let configuration = try ConfigTestSupport.load("""
        [permissions.roles.user]
        load_plugins = true
        allowed_nodes = ["audio::gain"]

        [permissions.roles.viewer]
        list_sessions = true
        """)
        var expectedUser = RolePermissions.user
        expectedUser.loadPlugins = true
        expectedUser.allowedNodes = ["audio::gain"]
        #expect(configuration.permissions.roles["user"] == expectedUser)
        #expect(configuration.permissions.roles["admin"] == .admin)

        var expectedViewer = RolePermissions()
        expectedViewer.listSessions = true
        #expect(configuration.permissions.roles["viewer"] == expectedViewer)
    }

    @Test func environmentOverridesFile() throws {
        let configuration = try ConfigTestSupport.load("""
        [server]
        address = "127.0.0.1:9000"
        [plugins]
        directory = "/opt/plugins"
        """, environment: [
            "SK_SERVER__ADDRESS": "[::1]:7000",
            "SK_PERMISSIONS__DEFAULT_ROLE": "user",
            "SK_LOG__CONSOLE_ENABLE": "false",
            "SK_SERVER__MAX_BODY_SIZE": "2048",
            "SK_ENGINE__ONESHOT__MEDIA_CHANNEL_CAPACITY": "64",
            "SK_PERMISSIONS__ROLES__USER__LOAD_PLUGINS": "true",
            "SK_TELEMETRY__OTLP_HEADERS__AUTHORIZATION": "Bearer abc",
            "SK_ROLE": "whatever",
            "SK_SCRIPT_FETCH_MAX_INFLIGHT": "4",
            "PATH": "/usr/bin",
        ])
        #expect(configuration.server.address == "[::1]:7000")
        #expect(configuration.plugins.directory == "/opt/plugins")
        #expect(configuration.permissions.defaultRole == "user")
        #expect(configuration.log.consoleEnable == false)
        #expect(configuration.server.maxBodySize == 2048)
        #expect(configuration.engine.oneshot.mediaChannelCapacity == 64)
        #expect(configuration.permissions.roles["user"]?.loadPlugins == true)
        #expect(configuration.permissions.roles["user"]?.allowedNodes == RolePermissions.user.allowedNodes)
        #expect(configuration.telemetry.otlpHeaders == ["authorization": "Bearer abc"])
    }

    @Test(arguments: [
        "[\"https://a.example\", \"http://b.example:*\"]",
        "https://a.example,http://b.example:*",
        " https://a.example , http://b.example:* ",
        "[https://a.example, http://b.example:*]",
    ])
    func environmentArrays(_ text: String) throws {
        let configuration = try ConfigTestSupport.load(environment: ["SK_SERVER__CORS__ALLOWED_ORIGINS": text])
        #expect(configuration.server.cors.allowedOrigins == ["https://a.example", "http://b.example:*"])
    }

    @Test func environmentEmptyArrayAndTableArrays() throws {
        let configuration = try ConfigTestSupport.load(environment: [
            "SK_SERVER__CORS__ALLOWED_ORIGINS": "",
            "SK_SCRIPT__GLOBAL_FETCH_ALLOWLIST": "[{ url = \"https://api.example.com/*\", methods = [\"GET\"] }]",
            "SK_RESOURCES__PREWARM__PLUGINS": "[{ kind = \"plugin::native::vad\", params = { threshold = 0.5 } }]",
        ])
        #expect(configuration.server.cors.allowedOrigins.isEmpty)
        #expect(configuration.script.globalFetchAllowlist == [.init(url: "https://api.example.com/*", methods: ["GET"])])
        #expect(configuration.resources.prewarm.plugins == [.init(kind: "plugin::native::vad", params: .object(["threshold": .number(0.5)]))])
    }

    @Test func websocketLimitFromTheOriginalsVariable() throws {
        #expect(try ConfigTestSupport.load(environment: ["SK_WEBSOCKET_MAX_MESSAGE_BYTES": "4096"]).server.websocketMaxMessageBytes == 4096)
        let both = try ConfigTestSupport.load(environment: [
            "SK_WEBSOCKET_MAX_MESSAGE_BYTES": "4096", "SK_SERVER__WEBSOCKET_MAX_MESSAGE_BYTES": "8192",
        ])
        #expect(both.server.websocketMaxMessageBytes == 8192)
        let problems = ConfigTestSupport.problems(environment: ["SK_WEBSOCKET_MAX_MESSAGE_BYTES": "0"])
        #expect(problems.map(\.keyPath) == ["server.websocket_max_message_bytes"])
        #expect(problems.first?.message.contains("SK_WEBSOCKET_MAX_MESSAGE_BYTES") == true)
    }

    @Test func tablesOfSecretsMerge() throws {
        let configuration = try ConfigTestSupport.load("""
        [script.secrets.openai]
        env = "OPENAI_API_KEY"
        type = "apikey"
        """, environment: ["SK_SCRIPT__SECRETS__OPENAI__DESCRIPTION": "LLM calls"])
        #expect(configuration.script.secrets["openai"] == .init(env: "OPENAI_API_KEY", type: .apikey, description: "LLM calls"))
    }

    @Test func emptyOptionalStringsMeanUnset() throws {
        let configuration = try ConfigTestSupport.load("""
        [server]
        base_path = ""
        [permissions]
        role_header = ""
        """)
        #expect(configuration.server.basePath == nil)
        #expect(configuration.permissions.roleHeader == nil)
    }

    @Test func realFileIsRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skit-config-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("skit.toml")
        try "[plugins]\nallow_http_management = true\n".write(to: file, atomically: true, encoding: .utf8)
        let (configuration, warnings) = try ServerConfiguration.load(fileAt: file.path, environment: [:])
        #expect(configuration.plugins.allowHTTPManagement)
        #expect(warnings.isEmpty)
    }
}
