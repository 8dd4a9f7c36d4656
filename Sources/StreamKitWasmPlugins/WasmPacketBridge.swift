import Foundation
import StreamKitComponentModel
import StreamKitCore

/// Packets between StreamKit and the WIT `packet` variant. The WIT has no transcription case:
/// transcriptions travel as custom `core::transcription@1` JSON, both ways.
enum WasmPacketBridge {
    static let transcriptionTypeID = "core::transcription@1"

    struct ConversionError: Error, CustomStringConvertible {
        var description: String
    }

    static func value(_ packet: Packet) -> ComponentValue {
        switch packet {
        case .audio(let frame):
            return .variant("audio", .record([
                .u32(UInt32(clamping: frame.sampleRate)), .u16(UInt16(clamping: frame.channels)), .float32List(frame.samples),
            ]))
        case .text(let text):
            return .variant("text", .string(text))
        case .binary(let binary):
            return .variant("binary", .byteList(binary.data))
        case .custom(let custom):
            return .variant("custom", .record([.string(custom.typeID), .enumeration("json"), .string(custom.data.jsonString())]))
        case .transcription(let transcription):
            let json = (try? JSONEncoder().encode(transcription)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            return .variant("custom", .record([.string(transcriptionTypeID), .enumeration("json"), .string(json)]))
        }
    }

    static func packet(_ value: ComponentValue) throws(ConversionError) -> Packet {
        guard case .variant(let name, let payload) = value else { throw ConversionError(description: "not a packet") }
        switch (name, payload) {
        case ("audio", .record(let fields)?):
            guard fields.count == 3, case .u32(let rate) = fields[0], case .u16(let channels) = fields[1] else {
                throw ConversionError(description: "malformed audio frame")
            }
            // Lifting gives the packed spelling; `float32Elements` also reads a generic list.
            guard let samples = fields[2].float32Elements else { throw ConversionError(description: "audio samples are not a list of f32") }
            guard channels > 0, rate > 0 else { throw ConversionError(description: "audio frame with \(rate) Hz and \(channels) channels") }
            guard samples.count % Int(channels) == 0 else {
                throw ConversionError(description: "audio frame has \(samples.count) samples, not a multiple of its \(channels) channels")
            }
            return .audio(AudioFrame(sampleRate: Int(rate), channels: Int(channels), samples: samples))
        case ("text", .string(let text)?):
            return .text(text)
        case ("binary", let list?):
            guard let bytes = list.byteElements else { throw ConversionError(description: "binary data is not a list of u8") }
            return .binary(BinaryPacket(data: bytes))
        case ("custom", .record(let fields)?):
            guard fields.count == 3, case .string(let typeID) = fields[0], case .string(let data) = fields[2] else {
                throw ConversionError(description: "malformed custom packet")
            }
            guard !typeID.isEmpty else { throw ConversionError(description: "custom packet without a type-id") }
            if typeID == transcriptionTypeID {
                guard let transcription = try? JSONDecoder().decode(Transcription.self, from: Data(data.utf8)) else {
                    throw ConversionError(description: "custom '\(transcriptionTypeID)' data is not TranscriptionData JSON")
                }
                return .transcription(transcription)
            }
            guard let json = try? JSONValue.parse(data) else { throw ConversionError(description: "custom packet '\(typeID)' data is not valid JSON") }
            return .custom(CustomPacket(typeID: typeID, data: json))
        default:
            throw ConversionError(description: "unknown packet case '\(name)'")
        }
    }

    static func packetType(_ value: ComponentValue, field: String) throws(ConversionError) -> PacketType {
        guard case .variant(let name, let payload) = value else { throw ConversionError(description: "\(field) is not a packet-type") }
        switch (name, payload) {
        case ("raw-audio", .record(let fields)?):
            guard fields.count == 3, case .u32(let rate) = fields[0], case .u16(let channels) = fields[1], case .enumeration(let format) = fields[2] else {
                throw ConversionError(description: "\(field): malformed audio-format")
            }
            return .rawAudio(AudioFormat(sampleRate: Int(rate), channels: Int(channels), sampleFormat: format == "s16-le" ? .s16le : .f32))
        case ("opus-audio", _): return .opusAudio
        case ("text", _): return .text
        case ("binary", _): return .binary
        case ("custom", .string(let typeID)?):
            guard !typeID.isEmpty else { throw ConversionError(description: "\(field) is custom with an empty type id") }
            return .custom(typeID: typeID)
        case ("any", _): return .any
        default: throw ConversionError(description: "\(field): unknown packet type '\(name)'")
        }
    }
}
