import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import StreamKitCore
@testable import StreamKitServer

/// A working directory with `samples/audio/system/` and `samples/audio/user/`, removed on deinit:
///
///     system/beep_tone.wav (+ .license)   system/zz-last.flac   system/readme.txt   system/beep_tone.wav.license
///     user/alpha_take-1.ogg               user/.hidden.wav      user/subdir/
final class AssetTree {
    let root: String
    var system: String { root + "/samples/audio/system" }
    var user: String { root + "/samples/audio/user" }

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("streamkit-assets-\(UUID().uuidString)")
        root = base.resolvingSymlinksInPath().path
        let manager = FileManager.default
        try manager.createDirectory(atPath: root + "/samples/audio/system", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: root + "/samples/audio/user/subdir", withIntermediateDirectories: true)
        try write("samples/audio/system/beep_tone.wav", AssetTree.wav(sampleCount: 100))
        try write("samples/audio/system/beep_tone.wav.license", Array("SPDX-FileCopyrightText: © 2024 Someone\nSPDX-License-Identifier: CC-BY-4.0\n".utf8))
        try write("samples/audio/system/zz-last.flac", [1, 2, 3])
        try write("samples/audio/system/readme.txt", Array("hello".utf8))
        try write("samples/audio/user/alpha_take-1.ogg", [4, 5])
        try write("samples/audio/user/.hidden.wav", [6])
    }

    func write(_ relative: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: root + "/" + relative))
    }

    func userFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: user).sorted()
    }

    /// A small 16-bit mono PCM WAV of silence.
    static func wav(sampleCount: Int) -> [UInt8] {
        func le(_ value: Int, _ bytes: Int) -> [UInt8] { (0..<bytes).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
        let dataSize = sampleCount * 2
        return Array("RIFF".utf8) + le(36 + dataSize, 4) + Array("WAVEfmt ".utf8) + le(16, 4) + le(1, 2) + le(1, 2)
            + le(48000, 4) + le(96000, 4) + le(2, 2) + le(16, 2) + Array("data".utf8) + le(dataSize, 4) + [UInt8](repeating: 0, count: dataSize)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// Builds an upload body with one file field.
enum AssetUpload {
    static let boundary = "asset-test-boundary-42"
    static var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    static func body(field: String = "file", filename: String?, bytes: [UInt8]) -> [UInt8] {
        var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\""
        if let filename { head += "; filename=\"\(filename)\"" }
        head += "\r\nContent-Type: audio/wav\r\n\r\n"
        return Array(head.utf8) + bytes + Array("\r\n--\(boundary)--\r\n".utf8)
    }
}

@Suite("Audio asset routes against a real server")
struct AssetRoutesTests {
    func start(_ tree: AssetTree, _ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> TestServer {
        let server = try await TestServer.start(configure)
        server.state.assets.relocate(to: tree.root)
        return server
    }

    func upload(_ server: TestServer, filename: String?, bytes: [UInt8], field: String = "file") async throws -> TestServer.Reply {
        try await server.request(
            .POST, "/api/v1/assets/audio", headers: [("Content-Type", AssetUpload.contentType)],
            body: AssetUpload.body(field: field, filename: filename, bytes: bytes)
        )
    }

    @Test func listsBothDirectoriesSortedWithLicenses() async throws {
        let tree = try AssetTree()
        let server = try await start(tree)
        defer { Task { await server.stop() } }

        let reply = try await server.get("/api/v1/assets/audio")
        #expect(reply.status == 200)
        let assets = try #require(reply.json?.arrayValue)
        #expect(assets.compactMap { $0["id"]?.stringValue } == ["alpha_take-1.ogg", "beep_tone.wav", "zz-last.flac"])
        let beep = try #require(assets.first { $0["id"]?.stringValue == "beep_tone.wav" })
        #expect(beep["name"]?.stringValue == "beep tone")
        #expect(beep["path"]?.stringValue == "samples/audio/system/beep_tone.wav")
        #expect(beep["format"]?.stringValue == "wav")
        #expect(beep["size_bytes"]?.intValue == 244)
        #expect(beep["license"]?.stringValue == "Copyright: © 2024 Someone\nLicense: CC-BY-4.0")
        #expect(beep["is_system"]?.boolValue == true)
        let alpha = try #require(assets.first)
        #expect(alpha["name"]?.stringValue == "alpha take 1")
        #expect(alpha["is_system"]?.boolValue == false)
        #expect(alpha["license"] == nil)
        #expect(alpha["path"]?.stringValue == "samples/audio/user/alpha_take-1.ogg")
    }

    @Test func listIsFilteredByTheAllowlist() async throws {
        let tree = try AssetTree()
        let server = try await start(tree, restrictedRole { permissions in
            permissions.allowedAssets = ["samples/audio/user/*"]
        })
        defer { Task { await server.stop() } }
        let reply = try await server.get("/api/v1/assets/audio")
        #expect(reply.status == 200)
        #expect(reply.json?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["alpha_take-1.ogg"])
    }

    @Test func uploadsListsAndDeletes() async throws {
        let tree = try AssetTree()
        let server = try await start(tree)
        defer { Task { await server.stop() } }

        let audio = AssetTree.wav(sampleCount: 50_000)
        let created = try await upload(server, filename: "My Song!.wav", bytes: audio)
        #expect(created.status == 201, "\(created.text)")
        #expect(created.json?["id"]?.stringValue == "My_Song_.wav")
        #expect(created.json?["path"]?.stringValue == "samples/audio/user/My_Song_.wav")
        #expect(created.json?["size_bytes"]?.intValue == audio.count)
        #expect(created.json?["is_system"]?.boolValue == false)
        let license = try #require(created.json?["license"]?.stringValue)
        #expect(license.hasPrefix("Copyright: © "))
        #expect(license.hasSuffix(" User Upload\nLicense: CC0-1.0"))
        #expect(FileManager.default.contents(atPath: tree.user + "/My_Song_.wav") == Data(audio))
        #expect(try tree.userFiles() == [".hidden.wav", "My_Song_.wav", "My_Song_.wav.license", "alpha_take-1.ogg", "subdir"])

        let listed = try await server.get("/api/v1/assets/audio")
        #expect(listed.json?.arrayValue?.compactMap { $0["id"]?.stringValue }.contains("My_Song_.wav") == true)

        let conflict = try await upload(server, filename: "My Song!.wav", bytes: [1, 2, 3])
        #expect(conflict.status == 409)
        #expect(conflict.errorCode == "conflict")
        #expect(FileManager.default.contents(atPath: tree.user + "/My_Song_.wav") == Data(audio))

        let deleted = try await server.request(.DELETE, "/api/v1/assets/audio/My_Song_.wav")
        #expect(deleted.status == 204)
        #expect(try tree.userFiles() == [".hidden.wav", "alpha_take-1.ogg", "subdir"])
        let again = try await server.request(.DELETE, "/api/v1/assets/audio/My_Song_.wav")
        #expect(again.status == 404)
        #expect(again.errorCode == "not_found")
    }

    @Test func refusesBadNamesAndFormats() async throws {
        let tree = try AssetTree()
        let server = try await start(tree)
        defer { Task { await server.stop() } }

        let text = try await upload(server, filename: "notes.txt", bytes: Array("hello".utf8))
        #expect(text.status == 400)
        #expect(text.errorCode == "unsupported_format")
        #expect(text.errorMessage?.contains("Allowed: opus, ogg, flac, mp3, wav") == true)
        let noExtension = try await upload(server, filename: "noext", bytes: [1])
        #expect(noExtension.status == 400)
        let dots = try await upload(server, filename: "../escape.wav", bytes: [1])
        #expect(dots.status == 400)
        #expect(dots.errorCode == "invalid_filename")
        let noName = try await upload(server, filename: nil, bytes: [1])
        #expect(noName.status == 400)
        #expect(noName.errorCode == "no_filename")
        let empty = try await server.request(
            .POST, "/api/v1/assets/audio", headers: [("Content-Type", AssetUpload.contentType)],
            body: Array("--\(AssetUpload.boundary)--\r\n".utf8)
        )
        #expect(empty.status == 400)
        #expect(try tree.userFiles() == [".hidden.wav", "alpha_take-1.ogg", "subdir"])
        #expect(!FileManager.default.fileExists(atPath: tree.root + "/samples/audio/escape.wav"))
    }

    @Test func tooLargeUploadLeavesNothingBehind() async throws {
        let tree = try AssetTree()
        let server = try await start(tree) { configuration in
            configuration.server.maxBodySize = 64 * 1024
        }
        defer { Task { await server.stop() } }

        // Declared length over the limit: refused before reading.
        let declared = try await upload(server, filename: "big.wav", bytes: AssetTree.wav(sampleCount: 100_000))
        #expect(declared.status == 413)
        #expect(declared.errorCode == "too_large")
        #expect(try tree.userFiles() == [".hidden.wav", "alpha_take-1.ogg", "subdir"])

        // No declared length (chunked): refused while streaming, and the partial file is removed.
        let body = AssetUpload.body(filename: "big.wav", bytes: AssetTree.wav(sampleCount: 100_000))
        var request = HTTPClientRequest(url: server.baseURL + "/api/v1/assets/audio")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: AssetUpload.contentType)
        let chunks = stride(from: 0, to: body.count, by: 8192).map { ByteBuffer(bytes: body[$0..<min($0 + 8192, body.count)]) }
        let stream = AsyncStream<ByteBuffer> { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        }
        request.body = .stream(stream, length: .unknown)
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            #expect(response.status.code == 413)
        } catch {
            // The server may close the connection while the client is still sending; what matters is the disk.
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(try tree.userFiles() == [".hidden.wav", "alpha_take-1.ogg", "subdir"])

        // Below the limit still works.
        let small = try await upload(server, filename: "small.wav", bytes: AssetTree.wav(sampleCount: 1000))
        #expect(small.status == 201)
    }

    @Test func deleteOnlyTouchesUserAssets() async throws {
        let tree = try AssetTree()
        let outside = tree.root + "/outside.wav"
        try tree.write("outside.wav", [9, 9])
        try FileManager.default.createSymbolicLink(atPath: tree.user + "/link.wav", withDestinationPath: outside)
        let server = try await start(tree)
        defer { Task { await server.stop() } }

        // A system asset is not a user asset.
        #expect(try await server.request(.DELETE, "/api/v1/assets/audio/beep_tone.wav").status == 404)
        #expect(FileManager.default.fileExists(atPath: tree.system + "/beep_tone.wav"))
        // Escapes are refused.
        let escape = try await server.request(.DELETE, "/api/v1/assets/audio/..%2Fsystem%2Fbeep_tone.wav")
        #expect(escape.status == 400)
        #expect(FileManager.default.fileExists(atPath: tree.system + "/beep_tone.wav"))
        let link = try await server.request(.DELETE, "/api/v1/assets/audio/link.wav")
        #expect(link.status == 403)
        #expect(FileManager.default.fileExists(atPath: outside))
        // Directories and non-audio files are not assets.
        #expect(try await server.request(.DELETE, "/api/v1/assets/audio/subdir").status == 404)

        #expect(try await server.request(.DELETE, "/api/v1/assets/audio/alpha_take-1.ogg").status == 204)
        #expect(!FileManager.default.fileExists(atPath: tree.user + "/alpha_take-1.ogg"))
    }

    @Test func refusesWithoutPermission() async throws {
        let tree = try AssetTree()
        let server = try await start(tree, restrictedRole { permissions in
            permissions.allowedAssets = ["*"]
        })
        defer { Task { await server.stop() } }

        let upload = try await upload(server, filename: "x.wav", bytes: [1, 2])
        #expect(upload.status == 403)
        #expect(upload.errorCode == "forbidden")
        let delete = try await server.request(.DELETE, "/api/v1/assets/audio/alpha_take-1.ogg")
        #expect(delete.status == 403)
        #expect(try tree.userFiles() == [".hidden.wav", "alpha_take-1.ogg", "subdir"])
        // Listing needs no flag.
        #expect(try await server.get("/api/v1/assets/audio").json?.arrayValue?.count == 3)
    }
}
