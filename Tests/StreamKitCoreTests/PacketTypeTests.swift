import Testing
@testable import StreamKitCore

@Suite("PacketType compatibility (the original's can_connect rule)")
struct PacketTypeTests {
    static let audio48Mono = PacketType.rawAudio(AudioFormat(sampleRate: 48000, channels: 1))
    static let audio48Stereo = PacketType.rawAudio(AudioFormat(sampleRate: 48000, channels: 2))
    static let audio16Mono = PacketType.rawAudio(AudioFormat(sampleRate: 16000, channels: 1))
    static let audioAny = PacketType.anyRawAudio
    static let audioAnyRateMono = PacketType.rawAudio(AudioFormat(sampleRate: 0, channels: 1))
    static let audioS16 = PacketType.rawAudio(AudioFormat(sampleRate: 48000, channels: 1, sampleFormat: .s16le))

    @Test("compatibility table", arguments: [
        (audio48Mono, audio48Mono, true),
        (audio48Mono, audio48Stereo, false),
        (audio48Mono, audio16Mono, false),
        (audio48Mono, audioAny, true),
        (audioAny, audio16Mono, true),
        (audioAnyRateMono, audio48Stereo, false),
        (audioAnyRateMono, audio16Mono, true),
        (audio48Mono, audioS16, false),
        (PacketType.opusAudio, audio48Mono, false),
        (PacketType.opusAudio, PacketType.opusAudio, true),
        (PacketType.opusAudio, PacketType.binary, false),
        (PacketType.text, PacketType.text, true),
        (PacketType.text, PacketType.binary, false),
        (PacketType.transcription, PacketType.transcription, true),
        (PacketType.custom(typeID: "a@1"), PacketType.custom(typeID: "a@1"), true),
        (PacketType.custom(typeID: "a@1"), PacketType.custom(typeID: "a@2"), false),
        (PacketType.any, PacketType.text, true),
        (PacketType.binary, PacketType.any, true),
        (PacketType.passthrough, PacketType.passthrough, false),
        (PacketType.passthrough, PacketType.text, false),
        (PacketType.passthrough, PacketType.any, true),
    ] as [(PacketType, PacketType, Bool)])
    func table(output: PacketType, input: PacketType, expected: Bool) {
        #expect(PacketType.canConnect(output: output, input: input) == expected, "\(output) -> \(input)")
    }

    @Test func anyOfInputTypes() {
        #expect(PacketType.canConnect(output: .binary, toAnyOf: [.text, .binary]))
        #expect(!PacketType.canConnect(output: .transcription, toAnyOf: [.text, .binary]))
        #expect(!PacketType.canConnect(output: .text, toAnyOf: []))
    }

    @Test func jsonFormsMatchTheOriginal() throws {
        #expect(PacketType.text.json.jsonString() == "\"Text\"")
        #expect(PacketType.opusAudio.json.jsonString() == "\"OpusAudio\"")
        let raw = Self.audio48Mono.json
        #expect(raw["RawAudio"]?["sample_rate"]?.intValue == 48000)
        #expect(raw["RawAudio"]?["channels"]?.intValue == 1)
        #expect(raw["RawAudio"]?["sample_format"]?.stringValue == "F32")
        #expect(PacketType.custom(typeID: "x@1").json["Custom"]?["type_id"]?.stringValue == "x@1")
        for type in [Self.audio48Mono, .text, .custom(typeID: "x@1"), .any, .passthrough, .binary] {
            let decoded: PacketType = try type.json.decode()
            #expect(decoded == type)
        }
    }

    @Test func descriptionsShowWildcards() {
        #expect(Self.audioAny.description == "RawAudio(* Hz, * ch, F32)")
        #expect(Self.audio48Mono.description == "RawAudio(48000 Hz, 1 ch, F32)")
    }

    @Test func packetTypeRegistryHasTheOriginalEntries() {
        let ids = PacketTypeDescription.all.map(\.id)
        #expect(ids == ["Any", "Binary", "Text", "OpusAudio", "RawAudio", "Transcription", "Custom"])
        let raw = PacketTypeDescription.allJSON.arrayValue?.first { $0["id"]?.stringValue == "RawAudio" }
        #expect(raw?["compatibility"]?["kind"]?.stringValue == "structfieldwildcard")
        #expect(raw?["color"]?.stringValue == "#f39c12")
    }
}

@Suite("Node states and audio frames")
struct NodeStateTests {
    @Test func stateJSONIsExternallyTagged() {
        #expect(NodeState.running.json.jsonString() == "\"Running\"")
        #expect(NodeState.failed(reason: "boom").json.jsonString() == #"{"Failed":{"reason":"boom"}}"#)
        #expect(NodeState.stopped(reason: .inputClosed).json.jsonString() == #"{"Stopped":{"reason":"input_closed"}}"#)
        #expect(NodeState.degraded(reason: "slow", details: ["n": 1]).json["Degraded"]?["details"]?["n"]?.intValue == 1)
    }

    @Test func audioFrameDuration() {
        let frame = AudioFrame(sampleRate: 48000, channels: 2, samples: [Float](repeating: 0, count: 1920))
        #expect(frame.frameCount == 960)
        #expect(frame.durationUs == 20_000)
        let stamped = AudioFrame(sampleRate: 48000, channels: 2, samples: [], metadata: PacketMetadata(durationUs: 5))
        #expect(stamped.durationUs == 5)
        #expect(AudioFrame(sampleRate: 0, channels: 1, samples: [1]).durationUs == nil)
    }

    @Test func fanOutDoesNotCopySamplesUntilMutated() {
        let frame = AudioFrame(sampleRate: 48000, channels: 1, samples: [Float](repeating: 1, count: 960))
        let copy = frame
        let original = frame.samples.withUnsafeBufferPointer { $0.baseAddress }
        let shared = copy.samples.withUnsafeBufferPointer { $0.baseAddress }
        #expect(original == shared)
        var mutated = copy
        mutated.samples[0] = 2
        #expect(frame.samples[0] == 1)
        #expect(mutated.samples.withUnsafeBufferPointer { $0.baseAddress } != original)
    }
}
