import Foundation

/// The browser protections driven by `server.cors.allowed_origins`: CORS headers, the Origin
/// guard for state-changing API requests, and the WebSocket Origin check (§4.1, §8.6).
///
/// Matching (the same for all three uses): `*` matches any origin; a pattern ending in `:*`
/// matches `<prefix>:<digits>` (at least one digit, so the portless origin does not match);
/// anything else must be equal, byte for byte. There are no other wildcard forms
/// (`https://*.example.com` is an exact string that no browser sends).
///
/// None of this is authentication: it only stops other web pages from driving the API through a
/// visitor's browser. Requests without an `Origin` header (curl, the CLI) always pass.
public struct OriginPolicy: Sendable, Equatable {
    /// The plain-text body of the 403 the HTTP Origin guard returns.
    public static let forbiddenMessage = "Origin not allowed (configure [server.cors].allowed_origins)"
    /// The plain-text body of the 403 the WebSocket upgrade returns.
    public static let webSocketForbiddenMessage = "WebSocket Origin not allowed"
    /// The methods CORS advertises.
    public static let corsAllowedMethods = "GET, POST, PUT, DELETE, OPTIONS, PATCH"

    /// The configured patterns, in order.
    public let allowedOrigins: [String]

    /// Creates a policy from `server.cors.allowed_origins`.
    public init(allowedOrigins: [String]) {
        self.allowedOrigins = allowedOrigins
    }

    /// True when the list contains `*`: every origin is allowed and CORS is fully permissive.
    public var allowsAnyOrigin: Bool { allowedOrigins.contains("*") }

    /// Whether `origin` (the `Origin` header value) matches some configured pattern.
    public func allows(origin: String) -> Bool {
        allowedOrigins.contains { Self.pattern($0, matches: origin) }
    }

    /// Whether one pattern matches one origin.
    public static func pattern(_ pattern: String, matches origin: String) -> Bool {
        if pattern == "*" { return true }
        if pattern.hasSuffix(":*") {
            // Keep the `:` in the prefix so `http://localhost:*` cannot match `http://localhostevil:1`.
            let prefix = pattern.dropLast()
            guard origin.hasPrefix(prefix) else { return false }
            let port = origin.utf8.dropFirst(prefix.utf8.count)
            return !port.isEmpty && port.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        }
        return pattern == origin
    }

    /// The CORS response headers for a request carrying `origin`.
    ///
    /// - An empty allowlist produces no CORS headers at all (browsers then refuse cross-origin reads).
    /// - With `*`, the response is fully permissive (`Access-Control-Allow-Origin: *`).
    /// - Otherwise an allowed origin is echoed back, and `Vary: Origin` is always present because
    ///   the response depends on the request's origin (caches must not mix them up).
    /// - Parameter isPreflight: true for an `OPTIONS` preflight, which also gets the allowed
    ///   methods and headers.
    public func corsHeaders(for origin: String?, isPreflight: Bool = false) -> [(name: String, value: String)] {
        guard !allowedOrigins.isEmpty else { return [] }
        var headers: [(name: String, value: String)] = []
        if allowsAnyOrigin {
            headers.append(("Access-Control-Allow-Origin", "*"))
        } else {
            headers.append(("Vary", "Origin"))
            guard let origin, allows(origin: origin) else { return headers }
            headers.append(("Access-Control-Allow-Origin", origin))
        }
        headers.append(("Access-Control-Expose-Headers", "*"))
        if isPreflight {
            headers.append(("Access-Control-Allow-Methods", Self.corsAllowedMethods))
            headers.append(("Access-Control-Allow-Headers", "*"))
        }
        return headers
    }

    /// Whether `method` can change server state (POST, PUT, PATCH, DELETE), compared
    /// case-insensitively so an odd spelling cannot slip past the guard.
    public static func isStateChanging(method: String) -> Bool {
        switch method.uppercased() {
        case "POST", "PUT", "PATCH", "DELETE": true
        default: false
        }
    }

    /// Whether the Origin guard applies: a state-changing method on an API path, either at the
    /// root (`/api/…`) or under the deployment's base path (`/s/abc/api/…`). The original only
    /// looked at the root, leaving every prefixed route unguarded.
    /// - Parameters:
    ///   - path: the request path, without query string.
    ///   - basePath: `server.base_path` as configured; it is normalized here the same way the
    ///     router normalizes it (trimmed; empty or `/` means none; leading `/` added, trailing removed).
    public func requiresOriginCheck(path: String, method: String, basePath: String?) -> Bool {
        guard Self.isStateChanging(method: method) else { return false }
        // Routers commonly treat `//api` like `/api`; collapse repeated slashes so that spelling
        // cannot dodge the guard.
        let path = Self.collapsingSlashes(path)
        if path.hasPrefix("/api/") { return true }
        if let base = Self.normalizedBasePath(basePath), path.hasPrefix(base + "/api/") { return true }
        return false
    }

    /// The complete guard: true when the request may proceed. Requests without an `Origin`
    /// header, and requests the guard does not cover, always may.
    public func permitsRequest(path: String, method: String, origin: String?, basePath: String?) -> Bool {
        guard let origin, requiresOriginCheck(path: path, method: method, basePath: basePath) else { return true }
        return allows(origin: origin)
    }

    /// The WebSocket upgrade check (anti cross-site WebSocket hijacking): no `Origin` header passes,
    /// anything else must be allowed.
    public func permitsWebSocket(origin: String?) -> Bool {
        guard let origin else { return true }
        return allows(origin: origin)
    }

    /// `server.base_path` normalized (§4.2); nil when disabled.
    public static func normalizedBasePath(_ basePath: String?) -> String? {
        guard var base = basePath?.trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
        while base.hasSuffix("/") { base.removeLast() }
        guard !base.isEmpty else { return nil }
        if !base.hasPrefix("/") { base = "/" + base }
        return collapsingSlashes(base)
    }

    private static func collapsingSlashes(_ path: String) -> String {
        guard path.contains("//") else { return path }
        var result = ""
        result.reserveCapacity(path.count)
        var previousWasSlash = false
        for character in path {
            if character == "/" {
                if previousWasSlash { continue }
                previousWasSlash = true
            } else {
                previousWasSlash = false
            }
            result.append(character)
        }
        return result
    }
}
