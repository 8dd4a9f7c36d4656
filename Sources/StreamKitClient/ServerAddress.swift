import Foundation

/// Where a StreamKit server listens: an `http` or `https` base URL, optionally with the server's
/// `base_path` (`http://host:4545/s/abc`). WebSocket calls use the matching `ws`/`wss` URL.
public struct ServerAddress: Sendable, Equatable, CustomStringConvertible {
    /// The default server of `skit serve`.
    public static let defaultURL = "http://127.0.0.1:4545"

    /// `http` or `https`.
    public let scheme: String
    /// Host name or address (IPv6 addresses without brackets).
    public let host: String
    /// The port, explicit or the scheme's default.
    public let port: Int
    /// The base path without a trailing slash (`""` or `/s/abc`).
    public let basePath: String

    /// Reads a server URL. `ws`/`wss` URLs are accepted and mapped to `http`/`https`; a URL without a
    /// scheme is taken as `http`. Query and fragment are ignored.
    public init(_ text: String) throws(StreamKitClientError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let withScheme = trimmed.contains("://") ? trimmed : "http://" + trimmed
        guard let components = URLComponents(string: withScheme), let rawScheme = components.scheme?.lowercased() else {
            throw .invalidArgument("'\(text)' is not a server URL (expected something like \(Self.defaultURL))")
        }
        switch rawScheme {
        case "http", "ws": scheme = "http"
        case "https", "wss": scheme = "https"
        default: throw .invalidArgument("unsupported scheme '\(rawScheme)' in server URL '\(text)' (use http or https)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .invalidArgument("the server URL '\(text)' has no host")
        }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let port = components.port {
            guard (1...65535).contains(port) else { throw .invalidArgument("port \(port) in '\(text)' is out of range") }
            self.port = port
        } else {
            self.port = scheme == "https" ? 443 : 80
        }
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        basePath = path.isEmpty || path.hasPrefix("/") ? path : "/" + path
    }

    private var authority: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(hostPart):\(port)"
    }

    /// The HTTP base URL, without a trailing slash.
    public var baseURL: String { "\(scheme)://\(authority)\(basePath)" }

    /// The full URL of an API path such as `/api/v1/sessions`.
    public func url(_ path: String) -> String {
        baseURL + (path.hasPrefix("/") ? path : "/" + path)
    }

    /// The WebSocket URL of the control plane (`ws://host:port/api/v1/control`).
    public var controlURL: String { webSocketURL("/api/v1/control") }

    /// The WebSocket URL (`ws:` or `wss:`) of an API path such as `/api/v1/sessions/{id}/media/{node}`.
    public func webSocketURL(_ path: String) -> String {
        "\(scheme == "https" ? "wss" : "ws")://\(authority)\(basePath)" + (path.hasPrefix("/") ? path : "/" + path)
    }

    public var description: String { baseURL }

    /// Percent-encodes one path segment (session ids or names, plugin kinds).
    public static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
