import Foundation
import StreamKitCore
import Testing
@testable import StreamKitScript

@Suite("core::script")
struct ScriptNodeTests {
    static func script(_ source: String, _ extra: JSONObject = [:], settings: ScriptSettings = ScriptSettings()) throws -> any Node {
        var params: JSONObject = ["script": .string(source)]
        for (key, value) in extra { params[key] = value }
        return try makeNode(ScriptNode.definition(settings: settings), .object(params))
    }

    @Test func upperCasesText() async throws {
        let node = try Self.script("function process(packet) { return { type: 'Text', data: packet.data.toUpperCase() }; }")
        let (outputs, _) = try await ScriptHarness.run(node, [.text("hello"), .text("wörld")])
        #expect(outputs.compactMap(\.text) == ["HELLO", "WÖRLD"])
    }

    @Test func transcriptionBecomesText() async throws {
        let node = try Self.script("""
            function process(packet) {
              if (packet.type !== 'Transcription') return packet;
              const words = packet.data.segments.map(s => s.text + '@' + s.start_time_ms).join(' ');
              return { type: 'Text', data: packet.data.language + ': ' + packet.data.text + ' [' + words + ']' };
            }
            """)
        let transcription = Transcription(
            text: "hello world", segments: [.init(text: "hello", startTimeMs: 0, endTimeMs: 400), .init(text: "world", startTimeMs: 500, endTimeMs: 900)],
            language: "en"
        )
        let (outputs, _) = try await ScriptHarness.run(node, [.transcription(transcription)])
        #expect(outputs.compactMap(\.text) == ["en: hello world [hello@0 world@500]"])
    }

    @Test func handlesCustomVADEvents() async throws {
        let node = try Self.script("""
            let speaking = false;
            function process(packet) {
              if (packet.type !== 'Custom' || packet.type_id !== 'plugin::native::vad/vad-event@1') return null;
              const event = packet.data;
              if (event.event_type === 'speech_start') { speaking = true; return { type: 'Text', data: 'start at ' + event.timestamp_ms }; }
              if (event.event_type === 'speech_end' && speaking) {
                speaking = false;
                return { type: 'Custom', type_id: 'app::turn@1', encoding: 'json', data: { spoke_ms: event.duration_ms }, metadata: { sequence: 7 } };
              }
              return null;
            }
            """)
        let vad = "plugin::native::vad/vad-event@1"
        let (outputs, harness) = try await ScriptHarness.run(node, [
            .custom(CustomPacket(typeID: vad, data: ["event_type": "speech_start", "timestamp_ms": 1200])),
            .custom(CustomPacket(typeID: vad, data: ["event_type": "speech_end", "timestamp_ms": 2700, "duration_ms": 1500])),
            .custom(CustomPacket(typeID: vad, data: ["event_type": "speech_end", "timestamp_ms": 2900, "duration_ms": 10])),
        ])
        #expect(outputs.count == 2)
        #expect(outputs.first?.text == "start at 1200")
        guard case .custom(let turn)? = outputs.last else {
            Issue.record("expected a Custom packet, got \(String(describing: outputs.last))")
            return
        }
        #expect(turn.typeID == "app::turn@1")
        #expect(turn.data == ["spoke_ms": 1500])
        #expect(turn.metadata?.sequence == 7)
        #expect(harness.context.stats.discarded == 1)
    }

    @Test func nullDropsAndUndefinedKeeps() async throws {
        let node = try Self.script("""
            function process(packet) {
              if (packet.data === 'drop') return null;
              if (packet.data === 'keep') return undefined;
              return packet;
            }
            """)
        let (outputs, harness) = try await ScriptHarness.run(node, [.text("a"), .text("drop"), .text("keep"), .text("drop")])
        #expect(outputs.compactMap(\.text) == ["a", "keep"])
        #expect(harness.context.stats.discarded == 2)
    }

    @Test func audioCrossesAsMetadataOnly() async throws {
        let node = try Self.script("""
            function process(packet) {
              if (packet.samples !== undefined || packet.data !== undefined) throw new Error('samples leaked into JavaScript');
              console.log('audio', packet.metadata.sample_rate, packet.metadata.frames);
              packet.metadata.route = 'left';
              return packet;
            }
            """)
        let frame = AudioFrame(sampleRate: 48_000, channels: 2, samples: [Float](repeating: 0.25, count: 960 * 2))
        let (outputs, harness) = try await ScriptHarness.run(node, [.audio(frame)])
        #expect(outputs.count == 1)
        if case .audio(let out)? = outputs.first { #expect(out == frame) } else { Issue.record("expected the audio frame back") }
        #expect(harness.context.stats.errored == 0)
    }

    @Test func errorsPassThePacketThroughAndAreCounted() async throws {
        let log = CapturedLog()
        let node = try Self.script(
            "function process(packet) { if (packet.data === 'bad') throw new Error('no thanks'); return { type: 'Text', data: 'ok' }; }",
            settings: ScriptSettings(logger: log.logger)
        )
        let (outputs, harness) = try await ScriptHarness.run(node, [.text("bad"), .text("good")])
        #expect(outputs.compactMap(\.text) == ["bad", "ok"])
        #expect(harness.context.stats.errored == 1)
        #expect(log.text.contains("no thanks"))
        #expect(harness.telemetryEvents.contains { $0.eventType == "script.error" })
    }

    @Test func asyncProcessWithoutAwaitingAnything() async throws {
        let node = try Self.script("async function process(packet) { await null; return { type: 'Text', data: packet.data + '!' }; }")
        let (outputs, _) = try await ScriptHarness.run(node, (0..<50).map { .text("n\($0)") })
        #expect(outputs.compactMap(\.text) == (0..<50).map { "n\($0)!" })
    }

    @Test func telemetrySpansCarryLatency() async throws {
        let node = try Self.script("""
            function process(packet) {
              const id = telemetry.startSpan('turn', { n: 1 });
              telemetry.emit('script.note', { text: packet.data });
              telemetry.endSpan(id, { ok: true });
              return packet;
            }
            """)
        let (_, harness) = try await ScriptHarness.run(node, [.text("hi")])
        let types = harness.telemetryEvents.map(\.eventType)
        #expect(types == ["turn.start", "script.note", "turn"])
        let end = harness.telemetryEvents.last?.data
        #expect(end?["latency_ms"]?.doubleValue != nil)
        #expect(end?["ok"] == .bool(true))
    }

    @Test func syntaxErrorFailsNodeCreationNamingTheLine() throws {
        #expect {
            _ = try Self.script("function process(packet) {\n  return packet;\n}\nlet x = ;\n")
        } throws: { error in
            let text = "\(error)"
            return text.contains("SyntaxError") && text.contains("line 4")
        }
    }

    @Test func scriptWithoutProcessFailsAtStart() async throws {
        let node = try Self.script("const x = 1;")
        let harness = ScriptHarness(node)
        harness.end()
        let result = await harness.result()
        #expect(throws: (any Error).self) { try result.get() }
        if case .failure(let error) = result { #expect("\(error)".contains("process(packet)")) }
    }

    @Test func scriptPathIsRead() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("skit-script-\(UUID().uuidString).js").path
        try "function process(p) { return { type: 'Text', data: 'from file: ' + p.data }; }".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let node = try makeNode(ScriptNode.definition(settings: ScriptSettings()), ["script_path": .string(path)])
        let (outputs, _) = try await ScriptHarness.run(node, [.text("x")])
        #expect(outputs.compactMap(\.text) == ["from file: x"])
    }
}

extension ScriptNodeTests {
    @Test func syntaxErrorInAScriptFileNamesOnlyKindAndLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("skit-script-\(UUID().uuidString).js").path
        try "root:x:0:0:root:/root:/bin/bash\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            _ = try makeNode(ScriptNode.definition(settings: ScriptSettings()), ["script_path": .string(path)])
        } throws: { error in
            let text = "\(error)"
            return text.contains("SyntaxError (line 1)") && !text.contains("bash") && !text.contains("root")
        }
    }
}

extension ScriptNodeTests {
    @Test func varsAreAFrozenGlobal() async throws {
        let node = try Self.script(
            "'use strict'; function process(p) { try { vars.model = 'x'; } catch (e) {} return { type: 'Text', data: vars.model + ' ' + vars.turns }; }",
            ["vars": ["model": "tiny", "turns": 3]]
        )
        let (outputs, _) = try await ScriptHarness.run(node, [.text("x")])
        #expect(outputs.compactMap(\.text) == ["tiny 3"])
    }
}
