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
                .u32(UInt32(clamping: frame.sampleRate)), .u16(UInt16(clamping: frame.channels)), .list(frame.samples.map { .f32($0) }),
            ]))
        case .text(let text):
            return .variant("text", .string(text))
        case .binary(let binary):
            return .variant("binary", .list(binary.data.map { .u8($0) }))
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
            guard fields.count == 3, case .u32(let rate) = fields[0], case .u16(let channels) = fields[1], case .list(let items) = fields[2] else {
                throw ConversionError(description: "malformed audio frame")
            }
            guard channels > 0, rate > 0 else { throw ConversionError(description: "audio frame with \(rate) Hz and \(channels) channels") }
            guard items.count % Int(channels) == 0 else {
                throw ConversionError(description: "audio frame has \(items.count) samples, not a multiple of its \(channels) channels")
            }
            var samples = [Float]()
            samples.reserveCapacity(items.count)
            for item in items {
                guard case .f32(let sample) = item else { throw ConversionError(description: "audio sample is not f32") }
                samples.append(sample)
            }
            return .audio(AudioFrame(sampleRate: Int(rate), channels: Int(channels), samples: samples))
        case ("text", .string(let text)?):
            return .text(text)
        case ("binary", .list(let items)?):
            var bytes = [UInt8]()
            bytes.reserveCapacity(items.count)
            for item in items {
                guard case .u8(let byte) = item else { throw ConversionError(description: "binary byte is not u8") }
                bytes.append(byte)
            }
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
