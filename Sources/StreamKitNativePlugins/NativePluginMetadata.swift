import CStreamKitNativeABI
import CStreamKitPluginGuard
import StreamKitCore
import StreamKitPluginHost

/// A plugin's description of its node, deep-copied out of the plugin's memory at load and
/// checked against the ABI's rules (the original accepted a NULL kind, kinds with spaces,
/// raw-audio pins without a format; we refuse them with a message saying which field).
public struct NativePluginMetadata: Sendable, Equatable {
    /// Exactly what the plugin returned, e.g. `gain`.
    public var originalKind: String
    /// The registered kind, e.g. `plugin::native::gain`.
    public var kind: String
    public var description: String?
    public var inputs: [InputPin]
    public var outputs: [OutputPin]
    public var paramSchema: JSONValue
    public var categories: [String]

    /// Longest string read out of a plugin (the parameter schema is the long one).
    static let maxStringBytes = 1 << 20
    /// More pins or categories than this is a corrupt count, not a real node.
    static let maxArrayCount = 1024

    /// Copies and validates `metadata`; `file` names the library in messages.
    init(copying metadata: UnsafePointer<CNodeMetadata>?, file: String) throws(NativePluginLoadError) {
        func fail(_ reason: String) -> NativePluginLoadError { .invalidMetadata(file: file, reason: reason) }
        guard let metadata = metadata?.pointee else { throw fail("get_metadata returned NULL") }

        guard let rawKind = try Self.string(metadata.kind, field: "kind", file: file) else { throw fail("kind is NULL") }
        originalKind = rawKind
        kind = try Self.namespacedKind(rawKind, file: file)
        description = try Self.string(metadata.description, field: "description", file: file)

        inputs = try Self.pins(metadata.inputs, count: metadata.inputs_count, field: "inputs", side: "input", file: file, name: \.name) {
            (pin: CInputPin, name: String, field: String) throws(NativePluginLoadError) in
            let typeCount = try Self.count(pin.accepts_types_count, pointer: pin.accepts_types, field: "\(field).accepts_types", file: file)
            guard typeCount > 0 else { throw fail("input pin '\(name)' accepts no packet types") }
            var accepts: [PacketType] = []
            for typeIndex in 0..<typeCount {
                guard let info = pin.accepts_types?[typeIndex] else { break }
                accepts.append(try Self.packetType(info, field: "input pin '\(name)' accepts_types[\(typeIndex)]", file: file))
            }
            return InputPin(name: name, accepts: accepts, cardinality: .one)
        }
        outputs = try Self.pins(metadata.outputs, count: metadata.outputs_count, field: "outputs", side: "output", file: file, name: \.name) {
            (pin: COutputPin, name: String, _: String) throws(NativePluginLoadError) in
            OutputPin(name: name, produces: try Self.packetType(pin.produces_type, field: "output pin '\(name)' produces_type", file: file), cardinality: .broadcast)
        }

        let schemaText = try Self.string(metadata.param_schema, field: "param_schema", file: file) ?? ""
        do {
            paramSchema = try PluginParamSchema.parse(schemaText, field: "param_schema")
        } catch {
            throw fail(error.description)
        }

        let categoryCount = try Self.count(metadata.categories_count, pointer: metadata.categories, field: "categories", file: file)
        var categories: [String] = []
        for index in 0..<categoryCount {
            guard let pointer = metadata.categories?[index] else { throw fail("categories[\(index)] is NULL") }
            if let category = try Self.string(pointer, field: "categories[\(index)]", file: file) { categories.append(category) }
        }
        self.categories = categories
    }

    /// `plugin::native::<kind>`, after checking the plugin's own kind. A kind that already carries
    /// the native prefix is accepted unchanged, as the original does.
    static func namespacedKind(_ raw: String, file: String) throws(NativePluginLoadError) -> String {
        do {
            return try PluginKindName.namespaced(raw, prefix: NativePluginABI.kindPrefix)
        } catch {
            throw .invalidMetadata(file: file, reason: error.description)
        }
    }

    /// Reads one of the plugin's pin arrays (`field` is `inputs` or `outputs`): each pin's name, which
    /// must be there, not empty and not repeated, and the rest of the pin through `make` (given the
    /// C pin, its name and its field path such as `inputs[0]`).
    private static func pins<CPin, Pin>(
        _ pointer: UnsafePointer<CPin>?, count rawCount: Int, field: String, side: String, file: String,
        name nameField: (CPin) -> UnsafePointer<CChar>?,
        make: (CPin, String, String) throws(NativePluginLoadError) -> Pin
    ) throws(NativePluginLoadError) -> [Pin] {
        let count = try count(rawCount, pointer: pointer, field: field, file: file)
        var pins: [Pin] = []
        var names: Set<String> = []
        for index in 0..<count {
            guard let pin = pointer?[index] else { break }
            let pinField = "\(field)[\(index)]"
            guard let name = try string(nameField(pin), field: "\(pinField).name", file: file), !name.isEmpty else {
                throw .invalidMetadata(file: file, reason: "\(pinField).name is NULL or empty")
            }
            let made = try make(pin, name, pinField)
            guard names.insert(name).inserted else {
                throw .invalidMetadata(file: file, reason: "two \(side) pins are named '\(name)'")
            }
            pins.append(made)
        }
        return pins
    }

    private static func count<T>(_ count: Int, pointer: UnsafePointer<T>?, field: String, file: String) throws(NativePluginLoadError) -> Int {
        if count == 0 { return 0 }
        guard pointer != nil else { throw .invalidMetadata(file: file, reason: "\(field) is NULL but its count is \(count)") }
        guard count <= maxArrayCount else { throw .invalidMetadata(file: file, reason: "\(field) count \(count) is not believable (more than \(maxArrayCount))") }
        return count
    }

    private static func packetType(_ info: CPacketTypeInfo, field: String, file: String) throws(NativePluginLoadError) -> PacketType {
        switch info.type_discriminant {
        case PACKET_TYPE_RAW_AUDIO:
            guard let format = info.audio_format?.pointee else {
                throw .invalidMetadata(file: file, reason: "\(field) is RawAudio but has no audio_format")
            }
            let sampleFormat: SampleFormat
            switch format.sample_format {
            case SAMPLE_FORMAT_F32: sampleFormat = .f32
            case SAMPLE_FORMAT_S16LE: sampleFormat = .s16le
            default: throw .invalidMetadata(file: file, reason: "\(field) has unknown sample_format \(format.sample_format.rawValue) (0 = F32, 1 = S16LE)")
            }
            return .rawAudio(AudioFormat(sampleRate: Int(format.sample_rate), channels: Int(format.channels), sampleFormat: sampleFormat))
        case PACKET_TYPE_OPUS_AUDIO: return .opusAudio
        case PACKET_TYPE_TEXT: return .text
        case PACKET_TYPE_TRANSCRIPTION: return .transcription
        case PACKET_TYPE_CUSTOM:
            guard let typeID = try string(info.custom_type_id, field: "\(field).custom_type_id", file: file), !typeID.isEmpty else {
                throw .invalidMetadata(file: file, reason: "\(field) is Custom but has no custom_type_id")
            }
            return .custom(typeID: typeID)
        case PACKET_TYPE_BINARY: return .binary
        case PACKET_TYPE_ANY: return .any
        case PACKET_TYPE_PASSTHROUGH: return .passthrough
        default:
            throw .invalidMetadata(file: file, reason: "\(field) has unknown packet type \(info.type_discriminant.rawValue) (valid: 0…7)")
        }
    }

    /// A copy of a plugin-owned C string, read under the crash guard; nil for NULL.
    static func string(_ pointer: UnsafePointer<CChar>?, field: String, file: String) throws(NativePluginLoadError) -> String? {
        guard let pointer else { return nil }
        switch PluginStrings.copy(pointer, limit: maxStringBytes) {
        case .success(let text): return text
        case .failure(.crashed(let signal)): throw .crashed(file: file, signal: signal, during: "reading metadata field \(field)")
        case .failure(.invalidUTF8): throw .invalidMetadata(file: file, reason: "\(field) is not valid UTF-8")
        case .failure(.tooLong): throw .invalidMetadata(file: file, reason: "\(field) is longer than \(maxStringBytes) bytes or not NUL-terminated")
        }
    }
}

/// Reads C strings owned by a plugin without trusting them.
enum PluginStrings {
    enum Failure: Error { case crashed(Int32), invalidUTF8, tooLong }

    static func copy(_ pointer: UnsafePointer<CChar>, limit: Int) -> Result<String, Failure> {
        // Short strings (pin names, kinds) fit the stack buffer; the schema may need the big one.
        for capacity in [256, limit + 1] {
            var length = 0
            var buffer = [CChar](repeating: 0, count: capacity)
            let signal = buffer.withUnsafeMutableBufferPointer { out in
                skg_copy_c_string(pointer, out.baseAddress, capacity, &length)
            }
            if signal != 0 { return .failure(.crashed(signal)) }
            if length < capacity - 1 {
                let bytes = buffer[0..<length].map { UInt8(bitPattern: $0) }
                guard let text = String(validating: bytes, as: UTF8.self) else { return .failure(.invalidUTF8) }
                return .success(text)
            }
        }
        return .failure(.tooLong)
    }
}
