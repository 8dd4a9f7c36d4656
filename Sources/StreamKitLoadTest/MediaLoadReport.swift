import Foundation
import StreamKitClient
import StreamKitCore

/// What one session's media sockets carried during a load test.
public struct MediaSessionReport: Sendable {
    public var session: String
    /// Binary messages and their bytes written to the input socket.
    public var messagesSent = 0
    public var bytesSent: Int64 = 0
    /// Audio frames (messages' worth of `media_frame_ms`) sent, and their duration.
    public var framesSent = 0
    public var secondsSent: Double = 0
    /// Binary messages and bytes read from the output socket.
    public var messagesReceived = 0
    public var bytesReceived: Int64 = 0
    /// Duration of the audio received, after decoding (samples per channel / rate).
    public var secondsReceived: Double = 0
    /// From sending the first frame to receiving the first audio.
    public var firstAudioLatency: Double?
    /// One per received message: see ``MediaLoadReport`` for the method.
    public var latencies: [Double] = []
    /// What went wrong (connect failures, close reasons), in order.
    public var errors: [String] = []

    public var json: JSONValue {
        var object: JSONObject = [
            "session": .string(session), "messages_sent": .number(Double(messagesSent)), "bytes_sent": .number(Double(bytesSent)),
            "frames_sent": .number(Double(framesSent)), "audio_secs_sent": .number(secondsSent),
            "messages_received": .number(Double(messagesReceived)), "bytes_received": .number(Double(bytesReceived)),
            "audio_secs_received": .number(secondsReceived), "errors": .array(errors.map { .string($0) }),
        ]
        if let firstAudioLatency { object["first_audio_latency_ms"] = .number(firstAudioLatency * 1000) }
        if let latency = LatencySummary(samples: latencies) { object["latency_ms"] = latency.millisecondsJSON }
        return .object(object)
    }
}

/// Media totals of a load test.
///
/// Latency is measured by sample position, end to end: the tester stamps the time each frame
/// of input audio is sent; when the output socket has delivered audio up to position *t*
/// (seconds of decoded audio received so far), the latency of that message is now minus the
/// send time of the input frame holding position *t*. It assumes the pipeline keeps the
/// sample count (gain, filters, resampling do; a pipeline that drops or adds audio skews it):
/// audio the server drops (a jitter-buffer overflow, a slow output client) leaves the received
/// position behind, so later figures grow by the amount dropped — a server that cannot keep up
/// shows as latency that climbs, and as less audio received than sent. First-audio latency is
/// the first output message's time minus the first input frame's.
public struct MediaLoadReport: Sendable {
    public var encoding: String
    public var sessions: [MediaSessionReport]

    public var messagesSent: Int { sessions.reduce(0) { $0 + $1.messagesSent } }
    public var bytesSent: Int64 { sessions.reduce(0) { $0 + $1.bytesSent } }
    public var framesSent: Int { sessions.reduce(0) { $0 + $1.framesSent } }
    public var secondsSent: Double { sessions.reduce(0) { $0 + $1.secondsSent } }
    public var messagesReceived: Int { sessions.reduce(0) { $0 + $1.messagesReceived } }
    public var bytesReceived: Int64 { sessions.reduce(0) { $0 + $1.bytesReceived } }
    public var secondsReceived: Double { sessions.reduce(0) { $0 + $1.secondsReceived } }
    public var errorCount: Int { sessions.reduce(0) { $0 + $1.errors.count } }
    public var latency: LatencySummary? { LatencySummary(samples: sessions.flatMap(\.latencies)) }
    public var firstAudioLatency: LatencySummary? { LatencySummary(samples: sessions.compactMap(\.firstAudioLatency)) }

    public var json: JSONValue {
        var totals: JSONObject = [
            "messages_sent": .number(Double(messagesSent)), "bytes_sent": .number(Double(bytesSent)),
            "frames_sent": .number(Double(framesSent)), "audio_secs_sent": .number(secondsSent),
            "messages_received": .number(Double(messagesReceived)), "bytes_received": .number(Double(bytesReceived)),
            "audio_secs_received": .number(secondsReceived), "errors": .number(Double(errorCount)),
        ]
        if let latency { totals["latency_ms"] = latency.millisecondsJSON }
        if let firstAudioLatency { totals["first_audio_latency_ms"] = firstAudioLatency.millisecondsJSON }
        return ["encoding": .string(encoding), "totals": .object(totals), "sessions": .array(sessions.map(\.json))]
    }

    /// Lines for the human report.
    public var lines: [String] {
        var lines = [
            "media (\(encoding)): sent \(framesSent) frames, \(String(format: "%.2f", secondsSent)) s of audio, \(bytesSent) bytes in \(messagesSent) messages; "
                + "received \(String(format: "%.2f", secondsReceived)) s of audio, \(bytesReceived) bytes in \(messagesReceived) messages",
        ]
        if let first = firstAudioLatency {
            lines.append("media first-audio latency: p50 \(LoadTestReport.ms(first.p50)), max \(LoadTestReport.ms(first.max))")
        }
        if let latency {
            lines.append("media latency (\(latency.count) messages): p50 \(LoadTestReport.ms(latency.p50)), p95 \(LoadTestReport.ms(latency.p95)), p99 \(LoadTestReport.ms(latency.p99)), max \(LoadTestReport.ms(latency.max))")
        }
        for session in sessions {
            var line = "  \(session.session): sent \(String(format: "%.2f", session.secondsSent)) s (\(session.bytesSent) B), received \(String(format: "%.2f", session.secondsReceived)) s (\(session.bytesReceived) B)"
            if let p50 = LatencySummary(samples: session.latencies)?.p50 { line += ", latency p50 \(LoadTestReport.ms(p50))" }
            lines.append(line)
            for error in session.errors { lines.append("  \(session.session) media error: \(error)") }
        }
        return lines
    }
}

extension LatencySummary {
    var millisecondsJSON: JSONValue {
        [
            "count": .number(Double(count)), "min": .number(min * 1000), "mean": .number(mean * 1000), "p50": .number(p50 * 1000),
            "p95": .number(p95 * 1000), "p99": .number(p99 * 1000), "max": .number(max * 1000),
        ]
    }
}
