import CStreamKitNativeABI
import Foundation
import StreamKitCore

/// Packets across the ABI (§1.7 of the reference): host packets are lent to the plugin for one
/// call without copying; packets the plugin emits are deep-copied before the callback returns.
enum NativePacketBridge {
    /// A packet the plugin emitted that the host cannot accept.
    struct ConversionError: Error, CustomStringConvertible {
        var description: String
    }

    /// A non-NULL pointer for empty buffers (the ABI forbids NULL data even when empty).
    /// `nonisolated(unsafe)`: it points at one constant zero that nothing ever writes.
    nonisolated(unsafe) private static let emptyFloat: UnsafeMutablePointer<Float> = {
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return pointer
    }()

    /// Calls `body` with `packet` in C form; everything it points to lives for the call only.
    static func withCPacket<R>(_ packet: Packet, _ body: (UnsafePointer<CPacket>) -> R) -> R {
        switch packet {
        case .audio(let frame):
            return frame.samples.withUnsafeBufferPointer { samples in
                var cFrame = CAudioFrame(
                    sample_rate: UInt32(clamping: frame.sampleRate), channels: UInt16(clamping: frame.channels),
                    samples: samples.baseAddress ?? UnsafePointer(emptyFloat), sample_count: samples.count
                )
                return withUnsafePointer(to: &cFrame) { framePointer in
                    var cPacket = CPacket(packet_type: PACKET_TYPE_RAW_AUDIO, data: UnsafeRawPointer(framePointer), len: MemoryLayout<CAudioFrame>.size)
                    return withUnsafePointer(to: &cPacket, body)
                }
            }
        case .text(let text):
            return text.withCString { pointer in
                var cPacket = CPacket(packet_type: PACKET_TYPE_TEXT, data: UnsafeRawPointer(pointer), len: strlen(pointer) + 1)
                return withUnsafePointer(to: &cPacket, body)
            }
        case .transcription(let transcription):
            let json = [UInt8]((try? JSONEncoder().encode(transcription)) ?? Data("{}".utf8))
            return withBytes(json, type: PACKET_TYPE_TRANSCRIPTION, body)
        case .binary(let binary):
            return withBytes(binary.data, type: PACKET_TYPE_BINARY, body)
        case .custom(let custom):
            let json = Array(custom.data.jsonString().utf8)
            return custom.typeID.withCString { typeID in
                json.withUnsafeBufferPointer { data in
                    withCMetadata(custom.metadata) { metadata in
                        var cCustom = CCustomPacket(
                            type_id: typeID, encoding: CUSTOM_ENCODING_JSON,
                            data_json: data.baseAddress ?? UnsafeRawPointer(emptyFloat).assumingMemoryBound(to: UInt8.self),
                            data_len: data.count, metadata: metadata
                        )
                        return withUnsafePointer(to: &cCustom) { customPointer in
                            var cPacket = CPacket(packet_type: PACKET_TYPE_CUSTOM, data: UnsafeRawPointer(customPointer), len: MemoryLayout<CCustomPacket>.size)
                            return withUnsafePointer(to: &cPacket, body)
                        }
                    }
                }
            }
        }
    }

    private static func withBytes<R>(_ bytes: [UInt8], type: CPacketType, _ body: (UnsafePointer<CPacket>) -> R) -> R {
        bytes.withUnsafeBufferPointer { buffer in
            let data = buffer.baseAddress.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(emptyFloat)
            var cPacket = CPacket(packet_type: type, data: data, len: buffer.count)
            return withUnsafePointer(to: &cPacket, body)
        }
    }

    static func withCMetadata<R>(_ metadata: PacketMetadata?, _ body: (UnsafePointer<CPacketMetadata>?) -> R) -> R {
        guard let metadata else { return body(nil) }
        var cMetadata = CPacketMetadata(
            timestamp_us: metadata.timestampUs ?? 0, has_timestamp_us: metadata.timestampUs != nil,
            duration_us: metadata.durationUs ?? 0, has_duration_us: metadata.durationUs != nil,
            sequence: metadata.sequence ?? 0, has_sequence: metadata.sequence != nil
        )
        return withUnsafePointer(to: &cMetadata) { body($0) }
    }

    static func metadata(_ pointer: UnsafePointer<CPacketMetadata>?) -> PacketMetadata? {
        guard let value = pointer?.pointee else { return nil }
        let metadata = PacketMetadata(
            timestampUs: value.has_timestamp_us ? value.timestamp_us : nil,
            durationUs: value.has_duration_us ? value.duration_us : nil,
            sequence: value.has_sequence ? value.sequence : nil
        )
        return metadata == PacketMetadata() ? nil : metadata
    }

    /// Most samples one emitted audio packet may carry (10 s of 48 kHz 8-channel audio); a larger
    /// count is a plugin bug, refused before the host reads that far.
    static let maxSamples = 48_000 * 8 * 10
    /// Largest binary, text or JSON payload one emitted packet may carry.
    static let maxPayloadBytes = 64 << 20

    /// A host copy of a packet the plugin emitted.
    static func packet(from pointer: UnsafePointer<CPacket>) throws(ConversionError) -> Packet {
        let cPacket = pointer.pointee
        switch cPacket.packet_type {
        case PACKET_TYPE_RAW_AUDIO:
            guard let data = cPacket.data else { throw ConversionError(description: "raw audio packet with NULL data") }
            let frame = data.assumingMemoryBound(to: CAudioFrame.self).pointee
            guard let samples = frame.samples else { throw ConversionError(description: "raw audio frame with NULL samples") }
            guard frame.channels > 0 else { throw ConversionError(description: "raw audio frame with 0 channels") }
            guard frame.sample_rate > 0 else { throw ConversionError(description: "raw audio frame with sample rate 0") }
            guard frame.sample_count <= maxSamples else {
                throw ConversionError(description: "raw audio frame claims \(frame.sample_count) samples (at most \(maxSamples))")
            }
            guard frame.sample_count % Int(frame.channels) == 0 else {
                throw ConversionError(description: "raw audio frame has \(frame.sample_count) samples, not a multiple of its \(frame.channels) channels")
            }
            let copied = Array(UnsafeBufferPointer(start: samples, count: frame.sample_count))
            return .audio(AudioFrame(sampleRate: Int(frame.sample_rate), channels: Int(frame.channels), samples: copied))
        case PACKET_TYPE_TEXT:
            guard let data = cPacket.data else { throw ConversionError(description: "text packet with NULL data") }
            guard let text = String(validatingCString: data.assumingMemoryBound(to: CChar.self)) else {
                throw ConversionError(description: "text packet is not valid UTF-8")
            }
            return .text(text)
        case PACKET_TYPE_TRANSCRIPTION:
            let bytes = try payload(cPacket.data, count: cPacket.len, what: "transcription packet")
            do {
                return .transcription(try JSONDecoder().decode(Transcription.self, from: Data(bytes)))
            } catch {
                throw ConversionError(description: "transcription packet is not TranscriptionData JSON: \(error)")
            }
        case PACKET_TYPE_CUSTOM:
            guard let data = cPacket.data else { throw ConversionError(description: "custom packet with NULL data") }
            let custom = data.assumingMemoryBound(to: CCustomPacket.self).pointee
            guard let typeIDPointer = custom.type_id, let typeID = String(validatingCString: typeIDPointer), !typeID.isEmpty else {
                throw ConversionError(description: "custom packet without a valid type_id")
            }
            let bytes = try payload(custom.data_json.map(UnsafeRawPointer.init), count: custom.data_len, what: "custom packet '\(typeID)'")
            guard let value = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)) else {
                throw ConversionError(description: "custom packet '\(typeID)' data is not valid JSON")
            }
            return .custom(CustomPacket(typeID: typeID, data: value, metadata: metadata(custom.metadata)))
        case PACKET_TYPE_BINARY:
            return .binary(BinaryPacket(data: try payload(cPacket.data, count: cPacket.len, what: "binary packet")))
        default:
            throw ConversionError(description: "unsupported packet type \(cPacket.packet_type.rawValue) (plugins may emit RawAudio 0, Text 2, Transcription 3, Custom 4 or Binary 5)")
        }
    }

    private static func payload(_ data: UnsafeRawPointer?, count: Int, what: String) throws(ConversionError) -> [UInt8] {
        guard let data else { throw ConversionError(description: "\(what) with NULL data") }
        guard count <= maxPayloadBytes else { throw ConversionError(description: "\(what) claims \(count) bytes (at most \(maxPayloadBytes))") }
        return Array(UnsafeRawBufferPointer(start: data, count: count))
    }
}
