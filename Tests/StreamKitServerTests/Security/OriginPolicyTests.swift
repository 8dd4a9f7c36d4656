import Testing
@testable import StreamKitServer

@Suite("OriginPolicy")
struct OriginPolicyTests {
    /// The configuration default.
    private static let defaults = OriginPolicy(allowedOrigins: [
        "http://localhost", "https://localhost", "http://localhost:*", "https://localhost:*",
        "http://127.0.0.1", "https://127.0.0.1", "http://127.0.0.1:*", "https://127.0.0.1:*",
    ])

    @Test(
        "origin matching with the default allowlist",
        arguments: [
            ("http://localhost:5173", true),
            ("http://localhost", true),
            ("https://localhost:1", true),
            ("http://127.0.0.1:4545", true),
            ("http://localhost:abc", false),
            ("http://localhost:", false),
            ("http://localhost:80a", false),
            ("http://localhost:-1", false),
            ("http://localhost:5173/", false),
            ("http://localhostevil:1234", false),
            ("http://localhost.evil.example", false),
            ("https://evil.example", false),
            ("HTTP://LOCALHOST", false),
            ("null", false),
            ("", false),
        ]
    )
    func defaultsMatching(origin: String, allowed: Bool) {
        #expect(Self.defaults.allows(origin: origin) == allowed)
    }

    @Test("a port wildcard does not match the portless origin")
    func portWildcardOnly() {
        let policy = OriginPolicy(allowedOrigins: ["http://localhost:*"])
        #expect(policy.allows(origin: "http://localhost:5173"))
        #expect(!policy.allows(origin: "http://localhost"))
        #expect(!policy.allows(origin: "http://localhost:abc"))
        #expect(!policy.allows(origin: "http://localhost:5173:1"))
    }

    @Test("exact patterns, `*`, and no other wildcard forms")
    func exactAndStar() {
        let exact = OriginPolicy(allowedOrigins: ["https://app.example.com", "https://*.example.com"])
        #expect(exact.allows(origin: "https://app.example.com"))
        #expect(!exact.allows(origin: "https://app.example.com:443"))
        #expect(!exact.allows(origin: "https://www.example.com"))
        #expect(exact.allows(origin: "https://*.example.com"))

        let any = OriginPolicy(allowedOrigins: ["*"])
        #expect(any.allowsAnyOrigin)
        #expect(any.allows(origin: "https://evil.example"))

        let none = OriginPolicy(allowedOrigins: [])
        #expect(!none.allows(origin: "http://localhost"))
    }

    @Test("state-changing methods")
    func methods() {
        for method in ["POST", "PUT", "PATCH", "DELETE", "post", "Delete"] {
            #expect(OriginPolicy.isStateChanging(method: method))
        }
        for method in ["GET", "HEAD", "OPTIONS", "TRACE", "CONNECT", ""] {
            #expect(!OriginPolicy.isStateChanging(method: method))
        }
    }

    @Test("the guard covers /api/ at the root and under the base path")
    func guardScope() {
        let policy = Self.defaults
        #expect(policy.requiresOriginCheck(path: "/api/v1/process", method: "POST", basePath: nil))
        #expect(!policy.requiresOriginCheck(path: "/api/v1/sessions", method: "GET", basePath: nil))
        #expect(!policy.requiresOriginCheck(path: "/index.html", method: "POST", basePath: nil))
        #expect(!policy.requiresOriginCheck(path: "/apiary", method: "POST", basePath: nil))
        #expect(policy.requiresOriginCheck(path: "//api/v1/process", method: "POST", basePath: nil))

        // The original's gap: prefixed routes.
        #expect(policy.requiresOriginCheck(path: "/s/test/api/v1/process", method: "POST", basePath: "/s/test"))
        #expect(policy.requiresOriginCheck(path: "/s/test/api/v1/sessions/x", method: "DELETE", basePath: " s/test/ "))
        #expect(policy.requiresOriginCheck(path: "/s/test//api/v1/process", method: "PUT", basePath: "/s/test"))
        #expect(policy.requiresOriginCheck(path: "/api/v1/process", method: "POST", basePath: "/s/test"))
        #expect(!policy.requiresOriginCheck(path: "/s/test/api/v1/config", method: "GET", basePath: "/s/test"))
        #expect(!policy.requiresOriginCheck(path: "/s/other/api/v1/process", method: "POST", basePath: "/s/test"))
        #expect(!policy.requiresOriginCheck(path: "/s/test/api/v1/process", method: "POST", basePath: "/"))
    }

    @Test("base path normalization")
    func basePath() {
        #expect(OriginPolicy.normalizedBasePath(nil) == nil)
        #expect(OriginPolicy.normalizedBasePath("") == nil)
        #expect(OriginPolicy.normalizedBasePath(" / ") == nil)
        #expect(OriginPolicy.normalizedBasePath("s/abc/") == "/s/abc")
        #expect(OriginPolicy.normalizedBasePath("/s/abc") == "/s/abc")
    }

    @Test("whole-request guard and WebSocket check")
    func decisions() {
        let policy = Self.defaults
        #expect(!policy.permitsRequest(path: "/api/v1/process", method: "POST", origin: "https://evil.example", basePath: nil))
        #expect(policy.permitsRequest(path: "/api/v1/process", method: "POST", origin: "http://localhost:1234", basePath: nil))
        #expect(policy.permitsRequest(path: "/api/v1/process", method: "POST", origin: nil, basePath: nil))
        #expect(policy.permitsRequest(path: "/api/v1/sessions", method: "GET", origin: "https://evil.example", basePath: nil))
        #expect(!policy.permitsRequest(path: "/s/x/api/v1/process", method: "POST", origin: "https://evil.example", basePath: "/s/x"))

        #expect(!policy.permitsWebSocket(origin: "https://evil.example"))
        #expect(policy.permitsWebSocket(origin: "http://127.0.0.1:4545"))
        #expect(policy.permitsWebSocket(origin: nil))
    }

    private static func headerDictionary(_ headers: [(name: String, value: String)]) -> [String: String] {
        Dictionary(headers.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    @Test("CORS headers")
    func cors() {
        let allowed = Self.headerDictionary(Self.defaults.corsHeaders(for: "http://localhost:5173"))
        #expect(allowed["Access-Control-Allow-Origin"] == "http://localhost:5173")
        #expect(allowed["Vary"] == "Origin")
        #expect(allowed["Access-Control-Allow-Methods"] == nil)

        let preflight = Self.headerDictionary(Self.defaults.corsHeaders(for: "http://localhost:5173", isPreflight: true))
        #expect(preflight["Access-Control-Allow-Methods"] == "GET, POST, PUT, DELETE, OPTIONS, PATCH")
        #expect(preflight["Access-Control-Allow-Headers"] == "*")

        let refused = Self.headerDictionary(Self.defaults.corsHeaders(for: "https://evil.example", isPreflight: true))
        #expect(refused == ["Vary": "Origin"])
        #expect(Self.headerDictionary(Self.defaults.corsHeaders(for: nil)) == ["Vary": "Origin"])

        let permissive = Self.headerDictionary(OriginPolicy(allowedOrigins: ["*"]).corsHeaders(for: "https://evil.example"))
        #expect(permissive["Access-Control-Allow-Origin"] == "*")

        #expect(OriginPolicy(allowedOrigins: []).corsHeaders(for: "http://localhost", isPreflight: true).isEmpty)
    }
}
