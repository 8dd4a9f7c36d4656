import CJavaScriptCore
import StreamKitCore

/// What a script made of a packet.
enum ScriptResult: Sendable {
    /// Send this packet on.
    case emit(Packet)
    /// `null`: drop the packet.
    case drop
    /// `undefined`, or an Audio/Binary packet handed back: send the original on unchanged.
    case unchanged
    /// The script returned something that is not a packet (the original passes through).
    case invalid(String)
}

/// Packets as JavaScript objects and back, in the original's shapes:
/// `{type: "Text", data}`, `{type: "Transcription", data: {text, language, segments}}`,
/// `{type: "Custom", type_id, encoding: "json", data, metadata}`, and Audio/Binary as metadata only.
///
/// Property-name strings are made once per runtime (they are JS strings owned by this object).
final class PacketBridge {
    let type = JSC.string("type")
    let data = JSC.string("data")
    let typeID = JSC.string("type_id")
    let metadata = JSC.string("metadata")
    let textType = JSC.string("Text")

    deinit {
        for name in [type, data, typeID, metadata, textType] { JSStringRelease(name) }
    }

    /// The packet as a fresh JS object. Text takes a direct path (no JSON); the others go through JSON.
    func makeValue(_ packet: Packet, in context: JSContextRef) -> JSValueRef? {
        if case .text(let text) = packet {
            guard let object = JSObjectMake(context, nil, nil) else { return nil }
            JSC.setProperty(object, type, JSValueMakeString(context, textType), in: context)
            JSC.setProperty(object, data, JSC.value(text, in: context), in: context)
            return object
        }
        return JSC.parseJSON(Self.json(for: packet).jsonString(), in: context)
    }

    /// The packet's JSON shape (Audio and Binary: metadata only, never samples or bytes).
    static func json(for packet: Packet) -> JSONValue {
        var object = JSONObject()
        object["type"] = .string(packet.variantName)
        switch packet {
        case .text(let text):
            object["data"] = .string(text)
        case .transcription(let transcription):
            var data: JSONObject = ["text": .string(transcription.text)]
            data["language"] = transcription.language.map(JSONValue.string) ?? .null
            data["segments"] = .array(transcription.segments.map { segment in
                var item: JSONObject = [
                    "text": .string(segment.text),
                    "start_time_ms": .number(Double(segment.startTimeMs)),
                    "end_time_ms": .number(Double(segment.endTimeMs)),
                ]
                if let confidence = segment.confidence { item["confidence"] = .number(Double(confidence)) }
                return .object(item)
            })
            object["data"] = .object(data)
            if let metadata = transcription.metadata { object["metadata"] = json(for: metadata) }
        case .custom(let custom):
            object["type_id"] = .string(custom.typeID)
            object["encoding"] = "json"
            object["data"] = custom.data
            if let metadata = custom.metadata { object["metadata"] = json(for: metadata) }
        case .audio(let frame):
            var metadata = json(for: frame.metadata).objectValue ?? [:]
            metadata["sample_rate"] = .number(Double(frame.sampleRate))
            metadata["channels"] = .number(Double(frame.channels))
            metadata["frames"] = .number(Double(frame.frameCount))
            if let duration = frame.durationUs { metadata["duration_ms"] = .number(Double(duration) / 1000) }
            object["metadata"] = .object(metadata)
        case .binary(let binary):
            var metadata = json(for: binary.metadata).objectValue ?? [:]
            metadata["size"] = .number(Double(binary.data.count))
            metadata["content_type"] = binary.contentType.map(JSONValue.string) ?? .null
            object["metadata"] = .object(metadata)
        }
        return .object(object)
    }

    private static func json(for metadata: PacketMetadata?) -> JSONValue {
        var object = JSONObject()
        if let value = metadata?.timestampUs { object["timestamp_us"] = .number(Double(value)) }
        if let value = metadata?.durationUs { object["duration_us"] = .number(Double(value)) }
        if let value = metadata?.sequence { object["sequence"] = .number(Double(value)) }
        return .object(object)
    }

    /// What the script's return value means for `original`.
    func result(from value: JSValueRef?, original: Packet, in context: JSContextRef) -> ScriptResult {
        guard let value, !JSValueIsUndefined(context, value) else { return .unchanged }
        if JSValueIsNull(context, value) { return .drop }
        if JSValueIsString(context, value) { return .emit(.text(JSC.swiftString(value, in: context) ?? "")) }
        guard JSValueIsObject(context, value), let object = JSValueToObject(context, value, nil) else {
            return .invalid("process() returned a \(Self.typeName(value, in: context)), not a packet object or null")
        }
        guard let typeValue = JSC.property(object, type, in: context), JSValueIsString(context, typeValue) else {
            return .invalid("process() returned an object without a string 'type' (Text, Transcription, Custom, Audio or Binary)")
        }
        // The common case without making a Swift string of the type.
        if let typeString = JSValueToStringCopy(context, typeValue, nil) {
            defer { JSStringRelease(typeString) }
            if JSStringIsEqual(typeString, textType) {
                guard let text = JSC.stringValue(JSC.property(object, data, in: context), in: context) else {
                    return .invalid("a Text packet needs a string 'data'")
                }
                return .emit(.text(text))
            }
        }
        let variant = JSC.swiftString(typeValue, in: context) ?? ""
        switch variant {
        case "Text":
            guard let text = JSC.stringValue(JSC.property(object, data, in: context), in: context) else {
                return .invalid("a Text packet needs a string 'data'")
            }
            return .emit(.text(text))
        case "Audio", "Binary":
            guard original.variantName == variant else {
                return .invalid("scripts cannot make \(variant) packets (their payload never enters JavaScript); return the one received")
            }
            return .unchanged
        case "Transcription", "Custom":
            guard let text = JSC.json(value, in: context), let json = try? JSONValue.parse(text) else {
                return .invalid("the returned \(variant) packet has no JSON form")
            }
            return Self.packet(variant: variant, json: json, original: original)
        default:
            return .invalid("unknown packet type '\(variant)' (expected Text, Transcription, Custom, Audio or Binary)")
        }
    }

    private static func packet(variant: String, json: JSONValue, original: Packet) -> ScriptResult {
        let metadata: PacketMetadata? = json["metadata"].flatMap { try? $0.decode(PacketMetadata.self) }
        if variant == "Custom" {
            guard let typeID = json["type_id"]?.stringValue ?? { if case .custom(let custom) = original { custom.typeID } else { nil } }() else {
                return .invalid("a Custom packet needs a string 'type_id'")
            }
            return .emit(.custom(CustomPacket(typeID: typeID, data: json["data"] ?? .null, metadata: metadata)))
        }
        guard let data = json["data"], let text = data["text"]?.stringValue else {
            return .invalid("a Transcription packet needs data.text")
        }
        let segments = (data["segments"]?.arrayValue ?? []).compactMap { item -> TranscriptionSegment? in
            guard let text = item["text"]?.stringValue else { return nil }
            let start = item["start_time_ms"]?.doubleValue ?? 0
            let end = item["end_time_ms"]?.doubleValue ?? start
            return TranscriptionSegment(
                text: text, startTimeMs: UInt64(max(0, start)), endTimeMs: UInt64(max(0, end)),
                confidence: item["confidence"]?.doubleValue.map(Float.init)
            )
        }
        return .emit(.transcription(Transcription(text: text, segments: segments, language: data["language"]?.stringValue, metadata: metadata)))
    }

    static func typeName(_ value: JSValueRef, in context: JSContextRef) -> String {
        switch JSValueGetType(context, value) {
        case kJSTypeBoolean: "boolean"
        case kJSTypeNumber: "number"
        case kJSTypeSymbol: "symbol"
        case kJSTypeBigInt: "bigint"
        default: "value"
        }
    }
}
