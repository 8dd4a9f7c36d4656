import StreamKitEngine
import StreamKitServer
import Testing

@Suite("Configuration resolution and normalisation")
struct ConfigurationResolutionTests {
    @Test func engineDefaults() {
        let engine = ServerConfiguration().engineConfiguration()
        #expect(engine == EngineConfiguration())
        #expect(ServerConfiguration().engine.resolvedPinDistributorCapacity == 64)
    }

    @Test func profileAppliesWhenNothingExplicit() throws {
        let configuration = try ConfigTestSupport.load("[engine]\nprofile = \"low-latency\"\npacket_batch_size = 4\n")
        let engine = configuration.engineConfiguration()
        #expect(engine.nodeInputCapacity == 8)
        #expect(engine.packetBatchSize == 4)
        #expect(configuration.engine.resolvedPinDistributorCapacity == 4)
    }

    @Test func explicitBeatsProfile() throws {
        let configuration = try ConfigTestSupport.load("""
        [engine]
        profile = "balanced"
        node_input_capacity = 50
        """)
        #expect(configuration.engineConfiguration().nodeInputCapacity == 50)
        #expect(configuration.engine.resolvedPinDistributorCapacity == 16)
    }

    @Test func oneshotConfiguration() throws {
        let configuration = try ConfigTestSupport.load("""
        [engine.oneshot]
        packet_batch_size = 8
        media_channel_capacity = 256
        """)
        let oneshot = configuration.oneshotEngineConfiguration()
        #expect(oneshot.packetBatchSize == 8)
        #expect(oneshot.oneshotInputCapacity == 256)
        #expect(ServerConfiguration().oneshotEngineConfiguration().oneshotInputCapacity == EngineConfiguration().oneshotInputCapacity)
    }

    @Test(arguments: [
        ("/s/abc", "/s/abc"), ("s/abc", "/s/abc"), ("  /s/abc/ ", "/s/abc"), ("/s/abc//", "/s/abc"),
        ("/", nil), ("", nil), ("   ", nil),
    ] as [(String, String?)])
    func basePathNormalisation(_ raw: String, _ expected: String?) throws {
        #expect(ServerConfiguration.normalizeBasePath(raw) == expected)
        let loaded = try ConfigTestSupport.load("[server]\nbase_path = \"\(raw)\"\n")
        #expect(loaded.server.basePath == expected)
    }

    @Test func allowedSamplesAreMadeRelativeToSamplesDir() throws {
        let configuration = try ConfigTestSupport.load(#"""
        [server]
        samples_dir = "./data/pipes/"
        [permissions.roles.demo]
        allowed_samples = [" samples/pipelines/demo/*.yml ", "./samples/pipelines/a.yml", 'samples\pipelines\b.yml',
                           "./data/pipes/c.yml", "data/pipes/d.yml", "*", "", "other/e.yml"]
        """#)
        #expect(configuration.permissions.roles["demo"]?.allowedSamples
            == ["demo/*.yml", "a.yml", "b.yml", "c.yml", "d.yml", "*", "", "other/e.yml"])
    }
}
