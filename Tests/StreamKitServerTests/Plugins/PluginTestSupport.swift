import Foundation
import NIOCore
import NIOHTTP1
import StreamKitCore
@testable import StreamKitServer

extension TestServer {
    /// `POST /api/v1/plugins` with the file at `path` in the `plugin` field, named `fileName`.
    func uploadPlugin(_ path: String, as fileName: String? = nil, headers: [(String, String)] = [], timeout: TimeAmount = .seconds(30)) async throws -> Reply {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        return try await uploadPlugin(bytes: bytes, fileName: fileName ?? URL(fileURLWithPath: path).lastPathComponent, headers: headers, timeout: timeout)
    }

    func uploadPlugin(bytes: [UInt8], fileName: String, headers: [(String, String)] = [], timeout: TimeAmount = .seconds(30)) async throws -> Reply {
        let boundary = "skit-plugin-upload-4e2a"
        let head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"plugin\"; filename=\"\(fileName)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        let body = Array(head.utf8) + bytes + Array("\r\n--\(boundary)--\r\n".utf8)
        return try await request(.POST, "/api/v1/plugins", headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")] + headers, body: body, timeout: timeout)
    }

    var controlURL: String { "ws://127.0.0.1:\(port)/api/v1/control" }

    /// Files in the plugin directory's `native/` folder and its staging folder.
    var nativeFiles: [String] {
        let dir = state.plugins.directory.appendingPathComponent("native").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    var stagingFiles: [String] {
        let dir = state.plugins.directory.appendingPathComponent(".staging").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }
}

/// 16-bit stereo WAV files for oneshot requests, and their samples back.
enum PluginWAV {
    static func sine(seconds: Double = 1, rate: Int = 48000, channels: Int = 2, amplitude: Double = 0.25, frequency: Double = 440) -> [UInt8] {
        let frames = Int(seconds * Double(rate))
        var data: [UInt8] = []
        data.reserveCapacity(frames * channels * 2)
        for index in 0..<frames {
            let value = Int16(amplitude * 32767 * sin(2 * .pi * frequency * Double(index) / Double(rate)))
            for _ in 0..<channels {
                data.append(UInt8(truncatingIfNeeded: value))
                data.append(UInt8(truncatingIfNeeded: value >> 8))
            }
        }
        func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        var file = Array("RIFF".utf8) + le32(36 + data.count) + Array("WAVEfmt ".utf8) + le32(16)
        file += le16(1) + le16(channels) + le32(rate) + le32(rate * channels * 2) + le16(channels * 2) + le16(16)
        file += Array("data".utf8) + le32(data.count) + data
        return file
    }

    /// The s16 samples of a WAV file's `data` chunk (as floats in −1…1).
    static func samples(_ bytes: [UInt8]) -> [Float]? {
        var offset = 12
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16 | Int(bytes[offset + 7]) << 24
            if id == "data" {
                let end = min(bytes.count, offset + 8 + max(0, size))
                let body = bytes[(offset + 8)..<end]
                var out: [Float] = []
                out.reserveCapacity(body.count / 2)
                var index = body.startIndex
                while index + 1 < body.endIndex {
                    out.append(Float(Int16(bitPattern: UInt16(body[index]) | UInt16(body[index + 1]) << 8)) / 32768)
                    index += 2
                }
                return out
            }
            offset += 8 + size + (size & 1)
        }
        return nil
    }

    static func rms(_ samples: [Float]) -> Double {
        guard !samples.isEmpty else { return 0 }
        return (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)).squareRoot()
    }
}

/// A oneshot pipeline: WAV upload → a plugin → WAV.
func pluginWAVPipeline(kind: String, params: String = "{}") -> String {
    """
    mode: oneshot
    steps:
      - kind: streamkit::http_input
      - kind: containers::wav::demuxer
      - kind: \(kind)
        params: \(params)
      - kind: containers::wav::muxer
      - kind: streamkit::http_output
    """
}

extension ControlTestClient {
    /// Creates a session running tone → pacer (4× real time) → `kind` → level meter (audio.level
    /// every 100 ms of audio).
    func startLevelSession(name: String, kind: String, params: JSONValue = [:], amplitude: Double = 0.5, tolerateFailedNodes: Bool = false) async throws -> String {
        let created = try await request(["action": "createsession", "name": .string(name)])
        guard let id = created["session_id"]?.stringValue else { throw ControlTestError("createsession: \(created)") }
        let session = JSONValue.string(id)
        for (node, nodeKind, nodeParams) in [
            ("tone", "audio::tone", ["duration_ms": 0, "frequency": 440, "amplitude": .number(amplitude)] as JSONValue),
            ("pacer", "audio::pacer", ["speed": 4] as JSONValue),
            ("plugin", kind, params),
            ("level", "core::telemetry_tap", ["packet_types": ["Audio"], "audio_sample_interval_ms": 100] as JSONValue),
        ] {
            let reply = try await request(["action": "addnode", "session_id": session, "node_id": .string(node), "kind": .string(nodeKind), "params": nodeParams])
            guard reply == ["action": "success"] else { throw ControlTestError("addnode \(node): \(reply)") }
        }
        for (from, to) in [("tone", "pacer"), ("pacer", "plugin"), ("plugin", "level")] {
            let reply = try await request(["action": "connect", "session_id": session, "from_node": .string(from), "from_pin": "out", "to_node": .string(to), "to_pin": "in"])
            guard reply == ["action": "success"] || tolerateFailedNodes else { throw ControlTestError("connect \(from)→\(to): \(reply)") }
        }
        return id
    }

    /// The RMS of the first `audio.level` event of `session` received after `after` messages.
    func level(session: String, after: Int = 0, timeout: Duration = .seconds(15)) async throws -> (rms: Double, index: Int) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let all = messages
            if all.count > after {
                for index in after..<all.count {
                    let payload = all[index]["payload"] ?? .null
                    if all[index]["type"] == "event", payload.has("event", "nodetelemetry"), payload.has("session_id", session),
                       payload["data"]?["event_type"] == "audio.level", let rms = payload["data"]?["rms"]?.doubleValue {
                        return (rms, index)
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let seen = messages.compactMap { message -> String? in
            guard let payload = message["payload"], let event = payload["event"]?.stringValue else { return nil }
            return event + (payload["node_id"]?.stringValue.map { "(\($0))" } ?? "") + (payload["state"].map { "=\($0.jsonString())" } ?? "")
        }
        throw ControlTestError("no audio.level event for session \(session) after message \(after); seen: \(seen.suffix(30))")
    }
}
