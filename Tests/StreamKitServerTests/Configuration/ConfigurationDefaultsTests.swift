import StreamKitServer
import Testing

@Suite("Configuration defaults")
struct ConfigurationDefaultsTests {
    @Test func serverDefaults() {
        let server = ServerConfiguration().server
        #expect(server.address == "127.0.0.1:4545")
        #expect(server.tls == false)
        #expect(server.certPath == "" && server.keyPath == "")
        #expect(server.samplesDir == "./samples/pipelines")
        #expect(server.maxBodySize == 104_857_600)
        #expect(server.basePath == nil)
        #expect(server.cors.allowedOrigins.count == 8)
        #expect(server.cors.allowedOrigins.contains("https://127.0.0.1:*"))
        #expect(server.websocketMaxMessageBytes == 1_048_576)
        #expect(server.multipartMaxFields == 16)
        #expect(server.shutdownTimeoutSecs == 10)
    }

    @Test func otherSectionDefaults() {
        let configuration = ServerConfiguration()
        #expect(configuration.plugins.directory == ".plugins")
        #expect(configuration.plugins.allowHTTPManagement == false)
        #expect(configuration.plugins.maxUploadSize == 104_857_600)
        #expect(configuration.security.allowedFilePaths == ["samples/**"])
        #expect(configuration.security.allowedWritePaths.isEmpty)
        #expect(configuration.log.consoleEnable && configuration.log.consoleLevel == .info)
        #expect(configuration.log.fileEnable == false)
        #expect(configuration.log.filePath == "./skit.log" && configuration.log.fileFormat == .text)
        #expect(configuration.telemetry.enable && !configuration.telemetry.tokioConsole)
        #expect(configuration.engine.packetBatchSize == 32 && configuration.engine.profile == nil)
        #expect(configuration.engine.oneshot.packetBatchSize == 32)
        #expect(configuration.resources.keepModelsLoaded && !configuration.resources.prewarm.enabled)
        #expect(configuration.script.defaultTimeoutMs == 100 && configuration.script.defaultMemoryLimitMB == 64)
        #expect(configuration.permissions.defaultRole == "admin")
        #expect(configuration.permissions.roleHeader == nil && !configuration.permissions.allowInsecureNoAuth)
        #expect(configuration.permissions.roles == ["admin": .admin, "user": .user])
    }

    @Test func loadingNothingGivesDefaults() throws {
        let (configuration, warnings) = try ServerConfiguration.load(fileAt: nil, environment: [:])
        #expect(configuration == ServerConfiguration())
        #expect(warnings.isEmpty)
    }

    @Test func missingFileIsAWarningNotAnError() throws {
        let path = "/nonexistent-\(UInt64.random(in: 0...UInt64.max))/skit.toml"
        let (configuration, warnings) = try ServerConfiguration.load(fileAt: path, environment: ["SK_ROLE": "user", "HOME": "/root"])
        #expect(configuration == ServerConfiguration())
        #expect(warnings == ["config file '\(path)' not found, using defaults"])
    }

    @Test func listenAddressParsing() {
        #expect(ListenAddress(parsing: "127.0.0.1:4545")?.isLoopback == true)
        #expect(ListenAddress(parsing: "0.0.0.0:80")?.isLoopback == false)
        #expect(ListenAddress(parsing: "[::1]:4545")?.isLoopback == true)
        #expect(ListenAddress(parsing: "[::]:4545")?.isIPv6 == true)
        #expect(ListenAddress(parsing: "[2001:db8::8a2e:370:7334]:443")?.port == 443)
        #expect(ListenAddress(parsing: "[::ffff:10.0.0.1]:1")?.isLoopback == false)
        for bad in ["localhost:4545", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "256.0.0.1:1", "1.2.3:4",
                    "::1:4545", "[::1]", "[1:2:3:4:5:6:7:8:9]:1", "[1::2::3]:1", "01.2.3.4:5", ":4545", "127.0.0.1:-1"] {
            #expect(ListenAddress(parsing: bad) == nil, "\(bad) should not parse")
        }
    }
}
