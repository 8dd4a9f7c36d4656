import Foundation
import Testing
@testable import StreamKitServer

/// The UI compiled into the binary is the whole UI folder: a file added to
/// `Sources/StreamKitServer/UI/` but forgotten in `UIFiles` or in Package.swift's resources would
/// work with `SKIT_UI_DIR` and break only in a built `skit` (the release binary has nothing else).
@Suite("Embedded web UI")
struct EmbeddedUITests {
    static let folder = PluginFixtures.repoRoot.appendingPathComponent("Sources/StreamKitServer/UI")

    /// Every file of the UI folder by its URL path (`js/app.js`), except the Swift that embeds them.
    static func filesOnDisk() throws -> [String] {
        let base = folder.standardizedFileURL.path + "/"
        let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        var names: [String] = []
        while let url = walker?.nextObject() as? URL {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true, url.pathExtension != "swift" else { continue }
            names.append(String(url.standardizedFileURL.path.dropFirst(base.count)))
        }
        return names.sorted()
    }

    @Test func everyFileOfTheUIFolderIsEmbeddedByteForByte() throws {
        let onDisk = try Self.filesOnDisk()
        #expect(onDisk.count > 10, "\(onDisk)")
        #expect(UIFiles.names.sorted() == onDisk, "UIFiles.names and the UI folder differ")
        for name in onDisk {
            let bytes = try Data(contentsOf: Self.folder.appendingPathComponent(name))
            #expect(UIFiles.embedded(name) == Array(bytes), "\(name) is not embedded as it is on disk (add it to Package.swift resources and UIFiles)")
        }
    }

    @Test func theServerAnswersEveryFileWithItsContentType() async throws {
        let server = try await TestServer.start()
        do {
            for name in try Self.filesOnDisk() {
                let reply = try await server.get("/" + name)
                let type = reply.headers.first(name: "Content-Type") ?? ""
                #expect(reply.status == 200, "/\(name): \(reply.status)")
                let expected = name.hasSuffix(".js") ? "text/javascript" : name.hasSuffix(".css") ? "text/css" : name.hasSuffix(".html") ? "text/html" : "?"
                #expect(type.hasPrefix(expected), "/\(name) served as \(type)")
            }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}
