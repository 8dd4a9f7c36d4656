import Foundation
import StreamKitCore

/// The original's JSON wire form of packets (externally tagged):
/// `{"Text": "hi"}`, `{"Audio": {"sample_rate": …, "channels": …, "samples": […], "metadata": …}}`, …
enum PacketJSON {
    static func encode(_ packet: Packet) -> JSONValue {
        switch packet {
        case .text(let text):
            return ["Text": .string(text)]
        case .audio(let frame):
            var body: JSONObject = [
                "sample_rate": .number(Double(frame.sampleRate)),
                "channels": .number(Double(frame.channels)),
                "samples": .array(frame.samples.map { .number(Double($0)) }),
            ]
            body["metadata"] = metadata(frame.metadata)
            return ["Audio": .object(body)]
        case .transcription(let transcription):
            var body: JSONObject = [
                "text": .string(transcription.text),
                "segments": .array(transcription.segments.map(segment)),
            ]
            body["language"] = transcription.language.map { .string($0) } ?? .null
            body["metadata"] = metadata(transcription.metadata)
            return ["Transcription": .object(body)]
        case .custom(let custom):
            var body: JSONObject = ["type_id": .string(custom.typeID), "encoding": "json", "data": custom.data]
            body["metadata"] = metadata(custom.metadata)
            return ["Custom": .object(body)]
        case .binary(let binary):
            var body: JSONObject = ["data": .string(Data(binary.data).base64EncodedString())]
            body["content_type"] = binary.contentType.map { .string($0) } ?? .null
            body["metadata"] = metadata(binary.metadata)
            return ["Binary": .object(body)]
        }
    }

    static func metadata(_ metadata: PacketMetadata?) -> JSONValue {
        guard let metadata else { return .null }
        var object = JSONObject()
        object["timestamp_us"] = metadata.timestampUs.map { .number(Double($0)) } ?? .null
        object["duration_us"] = metadata.durationUs.map { .number(Double($0)) } ?? .null
        object["sequence"] = metadata.sequence.map { .number(Double($0)) } ?? .null
        return .object(object)
    }

    static func segment(_ segment: TranscriptionSegment) -> JSONValue {
        var object: JSONObject = [
            "text": .string(segment.text),
            "start_time_ms": .number(Double(segment.startTimeMs)),
            "end_time_ms": .number(Double(segment.endTimeMs)),
        ]
        object["confidence"] = segment.confidence.map { .number(Double($0)) } ?? .null
        return .object(object)
    }
}
