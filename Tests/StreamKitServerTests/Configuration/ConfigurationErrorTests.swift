import StreamKitServer
import Testing

@Suite("Configuration errors")
struct ConfigurationErrorTests {
    @Test func unknownKeyInFileNamesItAndSuggests() {
        let problems = ConfigTestSupport.problems("""
        [server]
        adress = "127.0.0.1:1"
        """)
        #expect(problems.map(\.keyPath) == ["server.adress"])
        #expect(problems.first?.message == "unknown key 'server.adress' in skit.toml — did you mean 'server.address'?")
    }

    @Test func unknownSectionAndNestedKeys() {
        let problems = ConfigTestSupport.problems("""
        [servr]
        address = "x"
        [permissions.roles.demo]
        create_session = true
        [engine.oneshot]
        batch_size = 3
        """)
        let messages = problems.map(\.message)
        #expect(messages.contains("unknown key 'servr' in skit.toml — did you mean 'server'?"))
        #expect(messages.contains("unknown key 'permissions.roles.demo.create_session' in skit.toml — did you mean 'permissions.roles.demo.create_sessions'?"))
        #expect(problems.contains { $0.keyPath == "engine.oneshot.batch_size" })
    }

    @Test func unknownKeyWithoutCloseMatchListsKnownKeys() {
        let problems = ConfigTestSupport.problems("[plugins]\nzzzzzzzz = 1\n")
        #expect(problems.first?.message == "unknown key 'plugins.zzzzzzzz' in skit.toml — known keys in 'plugins': directory, allow_http_management, max_upload_size, wasm_cpu_budget_ms, wasm_memory_limit_mb")
    }

    @Test func unknownKeyInEnvironment() {
        let problems = ConfigTestSupport.problems(environment: ["SK_SERVER__ADRESS": "0.0.0.0:1", "SK_PERMISIONS__DEFAULT_ROLE": "user"])
        #expect(Set(problems.map(\.keyPath)) == ["server.adress", "permisions"])
        #expect(problems.contains { $0.message == "unknown key 'server.adress' (from environment variable SK_SERVER__ADRESS) — did you mean 'server.address'?" })
        #expect(problems.contains {
            $0.message == "unknown key 'permisions' (from environment variable SK_PERMISIONS__DEFAULT_ROLE) — did you mean 'permissions'?"
        })
    }

    @Test func wrongTypesNameTheKeyAndExpectation() {
        #expect(ConfigTestSupport.problems("[server]\nmax_body_size = \"big\"\n").map(\.message)
            == ["server.max_body_size: expected a non-negative integer, got \"big\""])
        #expect(ConfigTestSupport.problems("[log]\nconsole_level = \"loud\"\n").map(\.message)
            == ["log.console_level: expected one of debug, info, warn, error, got \"loud\""])
        #expect(ConfigTestSupport.problems("[server]\ntls = \"yes\"\n").map(\.message)
            == ["server.tls: expected true or false, got \"yes\""])
        #expect(ConfigTestSupport.problems("[security]\nallowed_file_paths = \"samples/**\"\n").map(\.message)
            == ["security.allowed_file_paths: expected an array of strings, got \"samples/**\""])
        #expect(ConfigTestSupport.problems("[engine]\nprofile = \"fast\"\n").map(\.message)
            == ["engine.profile: expected one of low-latency, balanced, high-throughput, got \"fast\""])
        #expect(ConfigTestSupport.problems("server = 3\n").map(\.message) == ["server: expected a table, got 3"])
    }

    @Test func rangesAreChecked() {
        #expect(ConfigTestSupport.problems("[server]\nmax_body_size = -1\n").map(\.message)
            == ["server.max_body_size: expected a non-negative integer, got -1"])
        #expect(ConfigTestSupport.problems("[engine]\nnode_input_capacity = 0\n").map(\.message)
            == ["engine.node_input_capacity: expected a positive integer, got 0"])
        #expect(ConfigTestSupport.problems("[server]\nwebsocket_max_message_bytes = 0\n").map(\.keyPath) == ["server.websocket_max_message_bytes"])
    }

    @Test func environmentArrayElementsNameTheirVariable() {
        let problems = ConfigTestSupport.problems(environment: ["SK_RESOURCES__PREWARM__PLUGINS": "[{ kind = 1 }]"])
        #expect(problems.map(\.message) == ["resources.prewarm.plugins[0].kind: expected a string, got 1 (from SK_RESOURCES__PREWARM__PLUGINS)"])
    }

    @Test func environmentValuesAreTypeChecked() {
        #expect(ConfigTestSupport.problems(environment: ["SK_SERVER__MAX_BODY_SIZE": "big"]).map(\.message)
            == ["server.max_body_size: expected a non-negative integer, got \"big\" (from SK_SERVER__MAX_BODY_SIZE)"])
        #expect(ConfigTestSupport.problems(environment: ["SK_LOG__FILE_ENABLE": "maybe"]).map(\.keyPath) == ["log.file_enable"])
    }

    @Test func addressMustBeALiteralSocketAddress() {
        let problems = ConfigTestSupport.problems("[server]\naddress = \"localhost:4545\"\n")
        #expect(problems.map(\.keyPath) == ["server.address"])
        #expect(problems.first?.message.hasPrefix("server.address: expected a literal IP:port") == true)
        #expect(ConfigTestSupport.problems(environment: ["SK_SERVER__ADDRESS": "example.com:80"]).map(\.keyPath) == ["server.address"])
    }

    @Test func requiredKeysOfListEntries() {
        let problems = ConfigTestSupport.problems("""
        [[resources.prewarm.plugins]]
        params = { a = 1 }
        [[script.global_fetch_allowlist]]
        url = "https://x.example/*"
        [script.secrets.token]
        type = "token"
        """)
        #expect(Set(problems.map(\.keyPath)) == [
            "resources.prewarm.plugins[0].kind", "script.global_fetch_allowlist[0].methods", "script.secrets.token.env",
        ])
    }

    @Test func everyProblemIsReportedAtOnce() {
        do {
            _ = try ServerConfiguration.load(toml: """
            [server]
            adress = "1.2.3.4:5"
            max_body_size = "big"
            [log]
            console_level = "loud"
            """, environment: ["SK_PLUGINS__DIRECTORYY": "x"])
            Issue.record("expected an error")
        } catch {
            // File problems first (by key path), then environment problems.
            #expect(error.problems.map(\.keyPath) == ["log.console_level", "server.adress", "server.max_body_size", "plugins.directoryy"])
            #expect(error.description.hasPrefix("invalid configuration (4 problems):"))
        }
    }

    @Test func invalidTOMLIsReportedWithPosition() {
        let problems = ConfigTestSupport.problems("[server\naddress = 1\n")
        #expect(problems.count == 1)
        #expect(problems.first?.message.hasPrefix("skit.toml is not valid TOML: line 1") == true)
    }

    @Test func conflictingEnvironmentVariables() {
        let problems = ConfigTestSupport.problems(environment: ["SK_SERVER__CORS": "x", "SK_SERVER__CORS__ALLOWED_ORIGINS": "a"])
        #expect(!problems.isEmpty)
    }
}
