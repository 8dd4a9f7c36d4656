import CStreamKitNativeABI

/// Packets between Swift and the ABI's C form, on the plugin side.
enum CPacketEncoding {
    /// Calls `body` with `packet` in C form; the memory lives for the call only.
    static func withCPacket<R>(_ packet: PluginPacket, _ body: (UnsafePointer<CPacket>) -> R) -> R {
        switch packet {
        case .audio(let frame):
            var padded = frame.samples
            if padded.isEmpty { padded.reserveCapacity(1) }  // the ABI wants a non-NULL pointer
            return padded.withUnsafeBufferPointer { samples in
                let zero: Float = 0
                return withUnsafePointer(to: zero) { fallback in
                    var cFrame = CAudioFrame(
                        sample_rate: UInt32(clamping: frame.sampleRate), channels: UInt16(clamping: frame.channels),
                        samples: samples.baseAddress ?? fallback, sample_count: frame.samples.count
                    )
                    return withUnsafePointer(to: &cFrame) { framePointer in
                        var cPacket = CPacket(packet_type: PACKET_TYPE_RAW_AUDIO, data: UnsafeRawPointer(framePointer), len: MemoryLayout<CAudioFrame>.size)
                        return withUnsafePointer(to: &cPacket, body)
                    }
                }
            }
        case .text(let text):
            return text.withCString { pointer in
                var cPacket = CPacket(packet_type: PACKET_TYPE_TEXT, data: UnsafeRawPointer(pointer), len: text.utf8.count + 1)
                return withUnsafePointer(to: &cPacket, body)
            }
        case .transcription(let json):
            return withBytes(Array(json.utf8), type: PACKET_TYPE_TRANSCRIPTION, body)
        case .binary(let bytes):
            return withBytes(bytes, type: PACKET_TYPE_BINARY, body)
        case .custom(let typeID, let json):
            let data = Array(json.utf8) + [0]
            return typeID.withCString { typeIDPointer in
                data.withUnsafeBufferPointer { bytes in
                    var custom = CCustomPacket(type_id: typeIDPointer, encoding: CUSTOM_ENCODING_JSON, data_json: bytes.baseAddress, data_len: bytes.count - 1, metadata: nil)
                    return withUnsafePointer(to: &custom) { customPointer in
                        var cPacket = CPacket(packet_type: PACKET_TYPE_CUSTOM, data: UnsafeRawPointer(customPointer), len: MemoryLayout<CCustomPacket>.size)
                        return withUnsafePointer(to: &cPacket, body)
                    }
                }
            }
        }
    }

    private static func withBytes<R>(_ bytes: [UInt8], type: CPacketType, _ body: (UnsafePointer<CPacket>) -> R) -> R {
        let padded = bytes.isEmpty ? [0] : bytes  // non-NULL even when empty
        return padded.withUnsafeBufferPointer { buffer in
            var cPacket = CPacket(packet_type: type, data: UnsafeRawPointer(buffer.baseAddress), len: bytes.count)
            return withUnsafePointer(to: &cPacket, body)
        }
    }

    /// A Swift copy of a packet the host lent us.
    static func packet(from pointer: UnsafePointer<CPacket>) throws -> PluginPacket {
        let cPacket = pointer.pointee
        guard let data = cPacket.data else { throw PluginError("Invalid packet: NULL data") }
        switch cPacket.packet_type {
        case PACKET_TYPE_RAW_AUDIO:
            let frame = data.assumingMemoryBound(to: CAudioFrame.self).pointee
            let samples = frame.samples.map { Array(UnsafeBufferPointer(start: $0, count: frame.sample_count)) } ?? []
            return .audio(PluginAudioFrame(sampleRate: Int(frame.sample_rate), channels: Int(frame.channels), samples: samples))
        case PACKET_TYPE_TEXT:
            return .text(String(cString: data.assumingMemoryBound(to: CChar.self)))
        case PACKET_TYPE_TRANSCRIPTION:
            return .transcription(json: String(decoding: UnsafeRawBufferPointer(start: data, count: cPacket.len), as: UTF8.self))
        case PACKET_TYPE_CUSTOM:
            let custom = data.assumingMemoryBound(to: CCustomPacket.self).pointee
            let typeID = custom.type_id.map { String(cString: $0) } ?? ""
            let json = custom.data_json.map { String(decoding: UnsafeBufferPointer(start: $0, count: custom.data_len), as: UTF8.self) } ?? "null"
            return .custom(typeID: typeID, json: json)
        case PACKET_TYPE_BINARY:
            return .binary(Array(UnsafeRawBufferPointer(start: data, count: cPacket.len)))
        default:
            throw PluginError("Invalid packet: unsupported packet type \(cPacket.packet_type.rawValue)")
        }
    }
}
