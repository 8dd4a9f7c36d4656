import Foundation
import StreamKitCore
import StreamKitEngine
import Testing
@testable import StreamKitNodes

@Suite("core::json_serialize")
struct JSONSerializeTests {
    /// Serialises `packets` and returns each output document's text.
    private static func serialize(_ packets: [Packet], _ params: JSONValue = [:]) async throws -> [String] {
        let run = await NodeHarness.run(try makeNode(JSONSerializeNode.definition, params), feeding: packets)
        try run.result.get()
        let documents = run.outputs.compactMap(\.binaryData)
        #expect(documents.count == packets.count)
        return documents.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The only key of an externally tagged document and its body.
    private static func tagged(_ text: String) throws -> (tag: String, body: JSONValue) {
        let value = try JSONValue.parse(text)
        let object = try #require(value.objectValue, "not an object: \(text)")
        try #require(object.count == 1, "expected one tag, got \(object.keys)")
        let tag = object.keys[0]
        return (tag, object[tag] ?? .null)
    }

    @Test func textIsTaggedText() async throws {
        let documents = try await Self.serialize([.text("hi"), .text("quote \" and\nnewline ✓")])
        let first = try Self.tagged(documents[0])
        #expect(first.tag == "Text")
        #expect(first.body == .string("hi"))
        #expect(documents[0].replacingOccurrences(of: " ", with: "") == #"{"Text":"hi"}"#)
        let second = try Self.tagged(documents[1])
        #expect(second.body.stringValue == "quote \" and\nnewline ✓")
    }

    @Test func audioCarriesRateChannelsSamplesAndMetadata() async throws {
        let samples: [Float] = [0.5, -0.25, 0.125, -1, 0.75, 0]
        let frame = AudioFrame(sampleRate: 16_000, channels: 2, samples: samples,
                               metadata: PacketMetadata(timestampUs: 1_234_567, durationUs: 187, sequence: 42))
        let (tag, body) = try Self.tagged(try await Self.serialize([.audio(frame)])[0])
        #expect(tag == "Audio")
        #expect(body["sample_rate"]?.intValue == 16_000)
        #expect(body["channels"]?.intValue == 2)
        #expect(body["samples"]?.arrayValue?.compactMap(\.doubleValue) == samples.map(Double.init))
        #expect(body["metadata"]?["timestamp_us"]?.intValue == 1_234_567)
        #expect(body["metadata"]?["duration_us"]?.intValue == 187)
        #expect(body["metadata"]?["sequence"]?.intValue == 42)

        // Without metadata the field is null.
        let bare = try Self.tagged(try await Self.serialize([.audio(AudioFrame(sampleRate: 8000, channels: 1, samples: [0.5]))])[0])
        #expect(bare.body["metadata"] == .null)
    }

    @Test func nonFiniteSamplesStillGiveValidJSON() async throws {
        let frame = AudioFrame(sampleRate: 8000, channels: 1, samples: [.nan, .infinity, -.infinity, 0.1, 1e-30])
        let (_, body) = try Self.tagged(try await Self.serialize([.audio(frame)])[0])
        let samples = try #require(body["samples"]?.arrayValue)
        #expect(samples.count == 5)
        #expect(samples[0...2].allSatisfy { $0 == .null })
        #expect(samples[3].doubleValue == Double(Float(0.1)))
        #expect(samples[4].doubleValue == Double(Float(1e-30)))
    }

    @Test func transcriptionCarriesTextSegmentsAndLanguage() async throws {
        let transcription = Transcription(
            text: "hello world",
            segments: [
                TranscriptionSegment(text: "hello", startTimeMs: 0, endTimeMs: 480, confidence: 0.5),
                TranscriptionSegment(text: "world", startTimeMs: 480, endTimeMs: 1020),
            ],
            language: "en"
        )
        let (tag, body) = try Self.tagged(try await Self.serialize([.transcription(transcription)])[0])
        #expect(tag == "Transcription")
        #expect(body["text"]?.stringValue == "hello world")
        #expect(body["language"]?.stringValue == "en")
        let segments = try #require(body["segments"]?.arrayValue)
        #expect(segments.count == 2)
        #expect(segments.map { $0["text"]?.stringValue } == ["hello", "world"])
        #expect(segments.map { $0["start_time_ms"]?.intValue } == [0, 480])
        #expect(segments.map { $0["end_time_ms"]?.intValue } == [480, 1020])
        #expect(segments[0]["confidence"]?.doubleValue == 0.5)
        #expect(segments[1]["confidence"] == .null)
    }

    @Test func customCarriesTypeIDAndData() async throws {
        let data: JSONValue = ["event_type": "vad.speech_start", "level": 0.75, "tags": ["a", "b"], "nested": ["ok": true]]
        let custom = CustomPacket(typeID: "plugin::vad/event@1", data: data, metadata: PacketMetadata(sequence: 3))
        let (tag, body) = try Self.tagged(try await Self.serialize([.custom(custom)])[0])
        #expect(tag == "Custom")
        #expect(body["type_id"]?.stringValue == "plugin::vad/event@1")
        #expect(body["encoding"]?.stringValue == "json")
        #expect(body["data"] == data)
        #expect(body["metadata"]?["sequence"]?.intValue == 3)
    }

    @Test func binaryIsBase64WithContentType() async throws {
        let bytes: [UInt8] = Array(0...255) + [0, 1, 2]
        let (tag, body) = try Self.tagged(try await Self.serialize([.binary(BinaryPacket(data: bytes, contentType: "audio/opus"))])[0])
        #expect(tag == "Binary")
        #expect(body["content_type"]?.stringValue == "audio/opus")
        let encoded = try #require(body["data"]?.stringValue)
        #expect(Data(base64Encoded: encoded).map { [UInt8]($0) } == bytes)
    }

    @Test func newlineDelimitedEndsEachDocumentWithOneNewline() async throws {
        let packets: [Packet] = [.text("a\nb"), .audio(AudioFrame(sampleRate: 8000, channels: 1, samples: [0.5])), .text("c")]
        let compact = try await Self.serialize(packets)
        #expect(compact.allSatisfy { !$0.contains("\n") })
        let lines = try await Self.serialize(packets, ["newline_delimited": true])
        for (line, plain) in zip(lines, compact) {
            #expect(line.hasSuffix("\n"))
            #expect(line.filter { $0 == "\n" }.count == 1)
            #expect(line == plain + "\n")
        }
        // Pretty output parses to the same value.
        let pretty = try await Self.serialize(packets, ["pretty": true])
        #expect(pretty.contains { $0.contains("\n") })
        for (indented, plain) in zip(pretty, compact) {
            #expect(try JSONValue.parse(indented) == JSONValue.parse(plain))
        }
    }

    @Test func ndjsonThroughAPipelineCarriesEveryInputChunk() async throws {
        let yaml = """
            steps:
              - kind: streamkit::http_input
              - kind: core::json_serialize
                params:
                  newline_delimited: true
              - kind: streamkit::http_output
            """
        var generator = SeededGenerator(seed: 5)
        let input = (0..<10_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let output = try await PipelineRun.run(yaml, input: input, pattern: [1000, 777])
        let text = String(decoding: output.bytes, as: UTF8.self)
        #expect(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == TestBytes.split(input, pattern: [1000, 777]).count)
        var reassembled: [UInt8] = []
        for line in lines {
            let (tag, body) = try Self.tagged(String(line))
            #expect(tag == "Binary")
            reassembled += Data(base64Encoded: body["data"]?.stringValue ?? "").map { [UInt8]($0) } ?? []
        }
        #expect(reassembled == input)
    }
}

