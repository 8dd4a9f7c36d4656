import Testing
@testable import StreamKitServer

/// Settings that would open the server, or that are ambiguous about it, are refused at load.
@Suite("Configuration: settings that would open the server")
struct ConfigurationSecurityTests {
    static let invalidHeaderNames = ["   ", "\t", " \t ", "x role", "x:role", "x-rôle", "(role)"]

    @Test("a role_header that trims to nothing or is not a header name is refused, from the file", arguments: invalidHeaderNames)
    func roleHeaderFromTheFile(value: String) {
        let escaped = value.replacingOccurrences(of: "\t", with: "\\t")
        let error = #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.load(toml: "[server]\naddress = \"0.0.0.0:4545\"\n[permissions]\nrole_header = \"\(escaped)\"\n")
        }
        #expect(error?.problems.map(\.keyPath) == ["permissions.role_header"], "\(String(describing: error))")
        #expect(error?.description.contains("expected an HTTP header name") == true)
    }

    @Test("the same refusal through SK_PERMISSIONS__ROLE_HEADER", arguments: invalidHeaderNames)
    func roleHeaderFromTheEnvironment(value: String) {
        let error = #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.load(toml: nil, environment: ["SK_PERMISSIONS__ROLE_HEADER": value, "SK_SERVER__ADDRESS": "0.0.0.0:4545"])
        }
        #expect(error?.problems.map(\.keyPath) == ["permissions.role_header"])
    }

    @Test("valid header names, and an empty one (unset), still load")
    func validRoleHeaders() throws {
        for value in ["x-role", " X-Auth-Role ", "x_role.v2", ""] {
            let (configuration, _) = try ServerConfiguration.load(toml: "[permissions]\nrole_header = \"\(value)\"\n")
            #expect(configuration.permissions.roleHeader == (value.isEmpty ? nil : value))
        }
    }

    @Test("a default_role that is not defined is refused unless unknown_role_fallback is set")
    func undefinedDefaultRole() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.load(toml: "[permissions]\ndefault_role = \"ghost\"\n")
        }
        #expect(error?.problems.map(\.keyPath) == ["permissions.default_role"])
        let (lenient, _) = try ServerConfiguration.load(toml: "[permissions]\ndefault_role = \"ghost\"\nunknown_role_fallback = true\n")
        #expect(lenient.permissions.unknownRoleFallback)
    }

    @Test("timeouts and connection limits load, and zero is refused")
    func limits() throws {
        let (configuration, _) = try ServerConfiguration.load(toml: "[server]\nread_timeout_secs = 5\nwrite_timeout_secs = 7\nmax_connections = 100\nmax_connections_per_address = 10\n")
        #expect(configuration.server.readTimeoutSecs == 5)
        #expect(configuration.server.writeTimeoutSecs == 7)
        #expect(configuration.server.maxConnections == 100)
        #expect(configuration.server.maxConnectionsPerAddress == 10)
        for key in ["read_timeout_secs", "write_timeout_secs", "max_connections", "max_connections_per_address"] {
            let error = #expect(throws: ConfigurationError.self) { try ServerConfiguration.load(toml: "[server]\n\(key) = 0\n") }
            #expect(error?.problems.map(\.keyPath) == ["server.\(key)"])
        }
    }
}
