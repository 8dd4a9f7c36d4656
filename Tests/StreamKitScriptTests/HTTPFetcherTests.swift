import Foundation
import Hummingbird
import StreamKitCore
import Testing
@testable import StreamKitScript

@Suite("transport::http::fetcher")
struct HTTPFetcherTests {
    static let megabyte = 1 << 20

    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test func streams50MBWithBoundedMemory() async throws {
        let total = 50 * Self.megabyte
        let server = try await LocalHTTPServer.start { router in
            router.get("/big.bin") { _, _ in
                Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: ResponseBody(contentLength: total) { writer in
                    let piece = ByteBuffer(repeating: 0x5A, count: 64 * 1024)
                    for _ in 0..<(total / piece.readableBytes) { try await writer.write(piece) }
                    try await writer.finish(nil)
                })
            }
        }
        defer { Task { await server.stop() } }
        let node = try makeNode(HTTPFetcherNode.definition, ["url": .string(server.baseURL + "/big.bin"), "chunk_size": 8192])
        let before = Self.residentBytes()
        let harness = ScriptHarness(node, outputCapacity: 8)
        var received = 0
        var packets = 0
        var peak = before
        while let packet = await harness.next() {
            guard case .binary(let binary) = packet else { continue }
            received += binary.data.count
            packets += 1
            if packets % 256 == 0 { peak = max(peak, Self.residentBytes()) }
        }
        try await harness.result().get()
        #expect(received == total)
        #expect(packets == total / 8192)
        let growth = peak - before
        #expect(growth < 32 * Self.megabyte, "resident memory grew by \(growth >> 20) MiB while streaming 50 MiB")
    }

    @Test func errorNamesURLAndStatus() async throws {
        let server = try await LocalHTTPServer.start { router in
            router.get("/here") { _, _ in "x" }
        }
        defer { Task { await server.stop() } }
        let url = server.baseURL + "/missing.ogg"
        let node = try makeNode(HTTPFetcherNode.definition, ["url": .string(url)])
        let harness = ScriptHarness(node)
        _ = await harness.drain()
        let result = await harness.result()
        guard case .failure(let error) = result else {
            Issue.record("expected the fetch to fail")
            return
        }
        #expect("\(error)".contains("GET \(url) answered 404"))
    }

    @Test func refusesNonHTTPURLs() {
        #expect(throws: (any Error).self) { try makeNode(HTTPFetcherNode.definition, ["url": "file:///etc/passwd"]) }
    }

    @Test func sizeLimitStopsTheNode() async throws {
        let server = try await LocalHTTPServer.start { router in
            router.get("/two.bin") { _, _ in ByteBuffer(repeating: 1, count: 2 * Self.megabyte) }
        }
        defer { Task { await server.stop() } }
        let node = try makeNode(HTTPFetcherNode.definition, ["url": .string(server.baseURL + "/two.bin"), "max_bytes": .number(Double(Self.megabyte))])
        let harness = ScriptHarness(node)
        _ = await harness.drain()
        guard case .failure(let error) = await harness.result() else {
            Issue.record("expected max_bytes to stop the node")
            return
        }
        #expect("\(error)".contains("max_bytes"))
    }
}
