import Foundation
import Testing

/// `POST /api/v1/process` answers with the content type of the muxer feeding `http_output`.
@Suite("Content types of codec pipelines over HTTP", .timeLimit(.minutes(1)))
struct CodecContentTypeTests {
    private static func tonePipeline(_ tail: String) -> String {
        "steps:\n  - {kind: audio::tone, params: {duration_ms: 200, channels: 2}}\n\(tail)  - {kind: streamkit::http_output}\n"
    }

    @Test(arguments: [
        ("  - {kind: audio::opus::encoder}\n  - {kind: containers::ogg::muxer}\n", "audio/ogg", Array("OggS".utf8)),
        ("  - {kind: audio::opus::encoder}\n  - {kind: containers::webm::muxer}\n", "audio/webm", [0x1A, 0x45, 0xDF, 0xA3]),
        ("  - {kind: containers::wav::muxer}\n", "audio/wav", Array("RIFF".utf8)),
    ])
    func processAnswersWithTheMuxersContentType(tail: String, contentType: String, magic: [UInt8]) async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let reply = try await server.process(yaml: Self.tonePipeline(tail))
        #expect(reply.status == 200, "\(reply.text.prefix(300))")
        #expect(reply.headers["Content-Type"].first == contentType)
        #expect(Array(reply.body.prefix(magic.count)) == magic)
    }

    @Test func theOggVolumeBoostRunsOverHTTP() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let make = try await server.process(yaml: Self.tonePipeline("  - {kind: audio::opus::encoder}\n  - {kind: containers::ogg::muxer}\n"))
        #expect(make.status == 200)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let yaml = try String(contentsOf: root.appendingPathComponent("samples/pipelines/oneshot/double_volume.yml"), encoding: .utf8)
        let reply = try await server.process(yaml: yaml, media: make.body, mediaType: "audio/ogg")
        #expect(reply.status == 200, "\(reply.text.prefix(300))")
        #expect(reply.headers["Content-Type"].first == "audio/ogg")
        #expect(Array(reply.body.prefix(4)) == Array("OggS".utf8))
        #expect(reply.body.count > 1000)
    }
}
