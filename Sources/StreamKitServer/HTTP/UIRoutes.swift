import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The web UI at `/`: plain HTML, CSS and ES modules compiled into the binary (see `UIFiles`),
/// or read from a folder on disk when `SKIT_UI_DIR` is set, so JS can be edited without a rebuild.
///
/// The UI uses hash routes (`#/designer`), so the server only ever serves the files themselves;
/// every API call it makes is relative, which keeps it working under `server.base_path`.
enum UIRoutes {
    /// The environment variable naming a folder to serve the UI from (development).
    static let directoryVariable = "SKIT_UI_DIR"

    static func install<Context: RequestContext>(on router: some RouterMethods<Context>, directory: String?) {
        router.get("") { _, _ in try response(for: "index.html", directory: directory) }
        router.get("**") { request, _ -> Response in
            let path = String(request.uri.path.drop { $0 == "/" })
            // A path under the base path arrives with the prefix; serve by the part after it.
            let name = UIFiles.names.first { path == $0 || path.hasSuffix("/" + $0) }
            guard let name else { throw APIError.notFound("no such file: /\(path)") }
            return try response(for: name, directory: directory)
        }
    }

    /// One file, from the development folder when configured, else from the binary.
    static func response(for name: String, directory: String?) throws -> Response {
        let bytes: [UInt8]
        if let directory {
            // Only names from the fixed list are read, so no request can reach outside the folder.
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else {
                throw APIError.notFound("UI file \(name) not found in \(directoryVariable)=\(directory)")
            }
            bytes = Array(data)
        } else {
            guard let embedded = UIFiles.embedded(name) else { throw APIError.notFound("no such file: /\(name)") }
            bytes = embedded
        }
        var headers: HTTPFields = [.contentType: contentType(of: name)]
        // The files change with each build and are small: always revalidate rather than go stale.
        headers[.cacheControl] = "no-cache"
        // Same-origin everything: no CDN, no inline script; microphone capture needs blob: workers.
        headers[.contentSecurityPolicy] = "default-src 'self'; connect-src 'self' ws: wss:; media-src 'self' blob:; img-src 'self' data: blob:; worker-src 'self' blob:; style-src 'self'"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func contentType(of name: String) -> String {
        if name.hasSuffix(".html") { return "text/html; charset=utf-8" }
        if name.hasSuffix(".css") { return "text/css; charset=utf-8" }
        if name.hasSuffix(".js") { return "text/javascript; charset=utf-8" }
        if name.hasSuffix(".svg") { return "image/svg+xml" }
        return "application/octet-stream"
    }
}

extension HTTPField.Name {
    // A constant literal that is a valid field name, so the unwrap cannot fail.
    static let contentSecurityPolicy = Self("Content-Security-Policy")!
}
