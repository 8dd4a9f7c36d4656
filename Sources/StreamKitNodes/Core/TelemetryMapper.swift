import StreamKitCore

/// Turns observed packets into telemetry events, shared by `core::telemetry_tap` and
/// `core::telemetry_out` (the original's mapping: speech results, custom events, audio levels,
/// text and binary sizes).
struct TelemetryMapper: Sendable {
    /// Variant names to observe, lower-cased (`audio`, `transcription`, …).
    var packetTypes: Set<String>
    /// Event types to emit (empty = all); `x.*` or `x*` matches a prefix.
    var eventTypeFilter: [String]
    /// `audio.level` every this many ms of audio (0 = never).
    var audioIntervalMs: Int
    /// Whether this is the terminal variant (`telemetry_out`), whose speech event differs slightly.
    var terminal: Bool

    /// Events per second per event type this node lets through (the `max_events_per_sec` param).
    var maxEventsPerSecond: Int
    private var windows: [String: (start: ContinuousClock.Instant, count: Int)] = [:]

    private var levelSumSquares = 0.0
    private var levelPeak: Float = 0
    private var levelSamples = 0

    static let schemaProperties: [(String, JSONValue)] = [
        ("packet_types", Schema.stringList("Packet variants to observe: Audio, Text, Transcription, Custom, Binary.", default: ["Transcription", "Custom"])),
        ("event_type_filter", Schema.stringList("Event types to emit (empty = all; 'vad.*' matches a prefix).", default: [])),
        ("max_events_per_sec", Schema.integer("Events per second per event type, at most.", default: 100, minimum: 1, maximum: 10_000)),
    ]

    init(params: JSONValue, terminal: Bool) {
        let types = params["packet_types"]?.arrayValue?.compactMap(\.stringValue) ?? ["Transcription", "Custom"]
        packetTypes = Set(types.map { $0.lowercased() })
        eventTypeFilter = params["event_type_filter"]?.arrayValue?.compactMap(\.stringValue) ?? []
        audioIntervalMs = params.integer("audio_sample_interval_ms", or: 1000)
        maxEventsPerSecond = max(1, params.integer("max_events_per_sec", or: 100))
        self.terminal = terminal
    }

    func admits(_ eventType: String) -> Bool {
        guard !eventTypeFilter.isEmpty else { return true }
        return eventTypeFilter.contains { pattern in
            if pattern.hasSuffix(".*") { return eventType.hasPrefix(String(pattern.dropLast(1))) }
            if pattern.hasSuffix("*") { return eventType.hasPrefix(String(pattern.dropLast())) }
            return eventType == pattern
        }
    }

    /// The events `packet` gives rise to (zero or one, except audio which accumulates).
    mutating func events(for packet: Packet) -> [(String, JSONObject)] {
        guard packetTypes.contains(packet.variantName.lowercased()) else { return [] }
        var result: [(String, JSONObject)] = []
        switch packet {
        case .transcription(let transcription):
            var data: JSONObject = [
                "text_preview": .string(Self.preview(transcription.text)),
                "segment_count": .number(Double(transcription.segments.count)),
            ]
            if terminal {
                data["text_length"] = .number(Double(transcription.text.count))
                data["language"] = transcription.language.map { .string($0) } ?? .null
            } else {
                data["segments"] = .array(transcription.segments.map(PacketJSON.segment))
            }
            result.append(("stt.result", data))
        case .custom(let custom):
            var eventType = custom.data["event_type"]?.stringValue ?? "custom.unknown"
            var data = custom.data.objectValue ?? ["value": custom.data]
            let original = eventType
            if custom.typeID.contains("vad"), !eventType.hasPrefix("vad.") { eventType = "vad." + eventType }
            if custom.typeID != TelemetryEvent.typeID {
                data["source_type_id"] = .string(custom.typeID)
                if original != eventType { data["source_event_type"] = .string(original) }
            }
            data["event_type"] = nil
            result.append((eventType, data))
        case .text(let text):
            result.append(("text.received", ["text_preview": .string(Self.preview(text)), "length": .number(Double(text.count))]))
        case .binary(let binary):
            result.append(("binary.received", ["size_bytes": .number(Double(binary.data.count)), "has_metadata": .bool(binary.metadata != nil)]))
        case .audio(let frame):
            guard !terminal, audioIntervalMs > 0 else { return [] }
            for sample in frame.samples {
                levelSumSquares += Double(sample) * Double(sample)
                levelPeak = max(levelPeak, abs(sample))
            }
            levelSamples += frame.samples.count
            let perChannelSamples = levelSamples / max(1, frame.channels)
            if perChannelSamples * 1000 >= audioIntervalMs * max(1, frame.sampleRate) {
                let rms = levelSamples > 0 ? (levelSumSquares / Double(levelSamples)).squareRoot() : 0
                result.append(("audio.level", [
                    "rms": .number(rms), "peak": .number(Double(levelPeak)),
                    "sample_count": .number(Double(levelSamples)),
                    "sample_rate": .number(Double(frame.sampleRate)), "channels": .number(Double(frame.channels)),
                ]))
                levelSumSquares = 0
                levelPeak = 0
                levelSamples = 0
            }
        }
        return result.filter { admits($0.0) && withinRate($0.0) }
    }

    /// Fixed one-second windows per event type.
    private mutating func withinRate(_ eventType: String) -> Bool {
        let now = ContinuousClock.now
        var window = windows[eventType] ?? (start: now, count: 0)
        if now - window.start >= .seconds(1) { window = (start: now, count: 0) }
        guard window.count < maxEventsPerSecond else { return false }
        window.count += 1
        windows[eventType] = window
        return true
    }

    static func preview(_ text: String) -> String {
        text.count <= 100 ? text : String(text.prefix(100)) + "..."
    }
}
