import Foundation
import StreamKitCore
import StreamKitEngine
import Testing
@testable import StreamKitNodes

@Suite("core::file_reader and core::file_writer")
struct FileNodesTests {
    /// A fresh temporary directory, removed by `cleanup`.
    private static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("streamkit-file-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        var bytes = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = generator.next()
            for _ in 0..<8 where index < count {
                bytes[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return bytes
    }

    private static func copyPipeline(from source: String, to destination: String, readChunk: Int, writeChunk: Int) -> String {
        """
        nodes:
          reader:
            kind: core::file_reader
            params:
              path: "\(source)"
              chunk_size: \(readChunk)
          writer:
            kind: core::file_writer
            params:
              path: "\(destination)"
              chunk_size: \(writeChunk)
            needs: reader
        """
    }

    @Test(arguments: [(readChunk: 65_536, writeChunk: 8192), (readChunk: 10_007, writeChunk: 100_003)])
    func copyOfARandomMegabyteIsByteIdentical(readChunk: Int, writeChunk: Int) async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("input.bin")
        let destination = directory.appendingPathComponent("output.bin")
        let bytes = Self.randomBytes(1 << 20, seed: UInt64(readChunk))
        try Data(bytes).write(to: source)

        let output = try await PipelineRun.run(Self.copyPipeline(from: source.path, to: destination.path, readChunk: readChunk, writeChunk: writeChunk))
        let copied = try [UInt8](Data(contentsOf: destination))
        #expect(copied.count == bytes.count)
        #expect(copied == bytes)
        let packets = (bytes.count + readChunk - 1) / readChunk
        #expect(output.summary.stats["reader"]?.sent == UInt64(packets))
        #expect(output.summary.stats["writer"]?.received == UInt64(packets))
    }

    @Test func copyOverwritesAnExistingLongerFile() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("small.bin")
        let destination = directory.appendingPathComponent("existing.bin")
        let bytes = Self.randomBytes(1000, seed: 1)
        try Data(bytes).write(to: source)
        try Data(repeating: 0xAA, count: 50_000).write(to: destination)
        _ = try await PipelineRun.run(Self.copyPipeline(from: source.path, to: destination.path, readChunk: 333, writeChunk: 8192))
        #expect(try [UInt8](Data(contentsOf: destination)) == bytes)
    }

    @Test(arguments: [1000, 4096, 1])
    func readerRespectsChunkSize(chunkSize: Int) async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("input.bin")
        let size = chunkSize == 1 ? 777 : 10_500
        let bytes = Self.randomBytes(size, seed: 2)
        try Data(bytes).write(to: source)

        let run = await NodeHarness.run(try makeNode(FileReaderNode.definition, ["path": .string(source.path), "chunk_size": .number(Double(chunkSize))]), feeding: [])
        try run.result.get()
        let chunks = run.outputs.compactMap(\.binaryData)
        #expect(chunks.count == run.outputs.count)
        let expectedSizes = Array(repeating: chunkSize, count: size / chunkSize) + (size % chunkSize == 0 ? [] : [size % chunkSize])
        #expect(chunks.map(\.count) == expectedSizes)
        #expect(chunks.flatMap { $0 } == bytes)
    }

    @Test func missingInputFileFailsNamingThePath() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("does-not-exist.wav").path
        let yaml = Self.copyPipeline(from: missing, to: directory.appendingPathComponent("out.bin").path, readChunk: 100, writeChunk: 100)
        let error = await PipelineRun.failure(yaml)
        let failure = try #require(error as? OneshotError, "expected a failure, got \(String(describing: error))")
        guard case .nodeFailed(let node, let kind, let reason) = failure else {
            Issue.record("expected nodeFailed, got \(failure)")
            return
        }
        #expect(node == "reader")
        #expect(kind == "core::file_reader")
        #expect(reason.contains(missing), "\(reason)")
        #expect(reason.contains("No such file"), "\(reason)")
    }

    @Test func unwritableOutputPathFailsWithAMessage() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("input.bin")
        try Data(Self.randomBytes(5000, seed: 3)).write(to: source)
        // A file inside a directory that does not exist cannot be created, whoever runs the test.
        let unwritable = directory.appendingPathComponent("no-such-dir/out.bin").path
        let error = await PipelineRun.failure(Self.copyPipeline(from: source.path, to: unwritable, readChunk: 100, writeChunk: 100))
        let failure = try #require(error as? OneshotError, "expected a failure, got \(String(describing: error))")
        guard case .nodeFailed(let node, let kind, let reason) = failure else {
            Issue.record("expected nodeFailed, got \(failure)")
            return
        }
        #expect(node == "writer")
        #expect(kind == "core::file_writer")
        #expect(reason.contains(unwritable), "\(reason)")
        #expect(reason.contains("for writing"), "\(reason)")
        // A directory given as the output is refused too.
        let directoryError = await PipelineRun.failure(Self.copyPipeline(from: source.path, to: directory.path, readChunk: 100, writeChunk: 100))
        #expect("\(directoryError.map { "\($0)" } ?? "")".contains(directory.path))
    }
}
