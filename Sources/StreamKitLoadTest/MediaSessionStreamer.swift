import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import StreamKitClient
import StreamKitCore
import StreamKitNodes
import StreamKitScheduling
import Synchronization

/// Streams audio through one session's media sockets for a load test: reads the output node
/// (`…/media/{output}?encoding=…`) and, once that socket is attached, sends the source audio into
/// the input node frame by frame, paced at real time, until the deadline. Ogg Opus is encoded and
/// decoded on a queue of the session's own, off the cooperative pool.
struct MediaSessionStreamer: Sendable {
    let media: LoadTestMedia
    let server: ServerAddress
    let role: String?
    let roleHeader: String
    /// How long the output may take, after the input stops, to deliver the rest.
    var drainTimeout: Duration = .seconds(3)
    var connectTimeout: Duration = .seconds(10)

    /// Send times of the input frames, for latency by sample position.
    private final class Timeline: Sendable {
        let frameSeconds: Double
        private let sent = Mutex<[ContinuousClock.Instant]>([])
        init(frameSeconds: Double) { self.frameSeconds = frameSeconds }
        func record(_ instant: ContinuousClock.Instant) { sent.withLock { $0.append(instant) } }
        var count: Int { sent.withLock { $0.count } }
        /// When the input frame holding audio position `seconds` was sent.
        func sendTime(ofPosition seconds: Double) -> ContinuousClock.Instant? {
            let index = max(0, Int((seconds / frameSeconds - 1e-9).rounded(.up)) - 1)
            return sent.withLock { index < $0.count ? $0[index] : nil }
        }
    }

    func url(session: String, node: String) -> String {
        server.webSocketURL("/api/v1/sessions/\(ServerAddress.pathSegment(session))/media/\(ServerAddress.pathSegment(node))?encoding=\(media.encoding.mediaEncoding.rawValue)")
    }

    private var configuration: WebSocketClientConfiguration {
        var configuration = WebSocketClientConfiguration(maxFrameSize: 4 << 20)
        if let role, !role.isEmpty, let name = HTTPField.Name(roleHeader) { configuration.additionalHeaders[name] = role }
        return configuration
    }

    func run(session: String, until deadline: ContinuousClock.Instant) async -> MediaSessionReport {
        let report = Locked(MediaSessionReport(session: session))
        let source = media.source
        let frameSamples = max(1, source.sampleRate * media.frameMilliseconds / 1000)
        let timeline = Timeline(frameSeconds: Double(frameSamples) / Double(source.sampleRate))
        let inputDone = Locked<ContinuousClock.Instant?>(nil)
        let (ready, readySignal) = AsyncStream.makeStream(of: Void.self)
        let logger = {
            var quiet = Logger(label: "streamkit.lt.media")
            quiet.logLevel = .error
            return quiet
        }()

        await withTaskGroup(of: Void.self) { group in
            if let output = media.outputNode {
                group.addTask {
                    await receive(url: url(session: session, node: output), timeline: timeline, report: report, ready: readySignal, inputDone: inputDone, deadline: deadline, logger: logger)
                    readySignal.finish()
                }
            } else {
                readySignal.finish()
            }
            if let input = media.inputNode {
                group.addTask {
                    // Send only once the output listens, so its audio lines up with what is sent.
                    let waited = await withTaskGroup(of: Bool.self) { wait in
                        wait.addTask { for await _ in ready { return true }; return true }
                        wait.addTask { try? await Task.sleep(for: connectTimeout); return false }
                        let first = await wait.next() ?? false
                        wait.cancelAll()
                        return first
                    }
                    if !waited { report.withLock { $0.errors.append("the output socket did not attach within \(connectTimeout); sending anyway") } }
                    await send(url: url(session: session, node: input), frameSamples: frameSamples, timeline: timeline, report: report, until: deadline, logger: logger)
                    inputDone.withLock { $0 = ContinuousClock.now }
                }
            }
        }
        return report.value
    }

    private func send(
        url: String, frameSamples: Int, timeline: Timeline, report: Locked<MediaSessionReport>, until deadline: ContinuousClock.Instant, logger: Logger
    ) async {
        let source = media.source
        let encoding = media.encoding
        let realTime = media.realTime
        let queue = BlockingQueue(label: "streamkit.lt.media.encode")
        do {
            let encoder = encoding == .oggOpus ? try OggOpusAudioEncoder(sampleRate: source.sampleRate, channels: source.channels) : nil
            let pcm = PCMFormat(sampleRate: source.sampleRate, channels: source.channels, sampleFormat: encoding.sampleFormat)
            let closed = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                // Read what the server says (its format announcement, a Close) while sending.
                let reader = Task { for try await _ in inbound.messages(maxSize: 1 << 20) {} }
                defer { reader.cancel() }
                if encoding != .oggOpus { try await outbound.write(.text(pcm.json.jsonString())) }
                let frameDuration = Duration.nanoseconds(Int64((Double(frameSamples) / Double(source.sampleRate) * 1e9).rounded()))
                let start = ContinuousClock.now
                var position = 0
                var index = 0
                while ContinuousClock.now < deadline, !Task.isCancelled {
                    var chunk: [Float] = []
                    chunk.reserveCapacity(frameSamples * source.channels)
                    while chunk.count < frameSamples * source.channels {
                        let take = min(frameSamples * source.channels - chunk.count, source.samples.count - position)
                        chunk += source.samples[position..<position + take]
                        position = (position + take) % source.samples.count
                    }
                    let frame = chunk
                    let bytes: [UInt8] = if let encoder { try await queue.run { try encoder.encode(frame) } } else { pcm.encode(frame) }
                    timeline.record(ContinuousClock.now)
                    if !bytes.isEmpty { try await outbound.write(.binary(ByteBuffer(bytes: bytes))) }
                    report.withLock {
                        $0.framesSent += 1
                        $0.secondsSent += Double(frameSamples) / Double(source.sampleRate)
                        if !bytes.isEmpty {
                            $0.messagesSent += 1
                            $0.bytesSent += Int64(bytes.count)
                        }
                    }
                    index += 1
                    if realTime { try await Task.sleep(until: start + frameDuration * index) }
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
            if let closed, closed.closeCode != .normalClosure {
                report.withLock { $0.errors.append("input socket closed by the server (\(closed.closeCode)): \(closed.reason ?? "no reason")") }
            }
        } catch {
            report.withLock { $0.errors.append("input socket \(url): \(error)") }
        }
    }

    private func receive(
        url: String, timeline: Timeline, report: Locked<MediaSessionReport>, ready: AsyncStream<Void>.Continuation,
        inputDone: Locked<ContinuousClock.Instant?>, deadline: ContinuousClock.Instant, logger: Logger
    ) async {
        let encoding = media.encoding
        let drain = drainTimeout
        let expectsInput = media.inputNode != nil
        let queue = BlockingQueue(label: "streamkit.lt.media.decode")
        do {
            let closed = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                let decoder = encoding == .oggOpus ? OggOpusAudioDecoder() : nil
                var pcm = PCMFormat(sampleRate: 48_000, channels: 1, sampleFormat: encoding.sampleFormat)
                var received = 0.0
                // Stop once the input has ended and its audio is back: all of it, or as much as
                // will come (a codec keeps back its look-ahead and last partial frame, so Ogg Opus
                // returns a little less than was sent; nothing more for `quiet` means the tail is
                // in), or when the drain time is over.
                let stopper = Task {
                    var lastReceived = -1.0
                    var lastGrowth = ContinuousClock.now
                    while !Task.isCancelled {
                        try await Task.sleep(for: .milliseconds(50))
                        let now = ContinuousClock.now
                        let got = report.withLock { $0.secondsReceived }
                        if got != lastReceived { lastReceived = got; lastGrowth = now }
                        // Without an input, listen until the deadline.
                        let outputOnlyEnd: ContinuousClock.Instant? = !expectsInput && now >= deadline ? deadline : nil
                        guard let done = inputDone.value ?? outputOnlyEnd else { continue }
                        let sent = report.withLock { $0.secondsSent }
                        let quietSinceInputEnded = now - max(done, lastGrowth) > Self.quiet
                        if got >= sent - timeline.frameSeconds || quietSinceInputEnded || now - done > drain {
                            try await outbound.close(.normalClosure, reason: nil)
                            return
                        }
                    }
                }
                defer { stopper.cancel() }
                for try await message in inbound.messages(maxSize: 4 << 20) {
                    let now = ContinuousClock.now
                    switch message {
                    case .text(let text):
                        ready.yield()
                        if encoding != .oggOpus, let json = try? JSONValue.parse(text), let format = PCMFormat.parse(json, base: pcm) { pcm = format }
                    case .binary(let buffer):
                        var seconds = 0.0
                        if let decoder {
                            let bytes = Array(buffer.readableBytesView)
                            let frames = try await queue.run { try decoder.feed(bytes) }
                            seconds = frames.reduce(0) { $0 + Double($1.frameCount) / Double($1.sampleRate) }
                        } else {
                            // PCM is only counted, not decoded.
                            let frames = buffer.readableBytes / pcm.sampleFormat.bytesPerSample / max(1, pcm.channels)
                            seconds = Double(frames) / Double(pcm.sampleRate)
                        }
                        received += seconds
                        let position = received
                        let first = timeline.sendTime(ofPosition: 0)
                        let sentAt = seconds > 0 ? timeline.sendTime(ofPosition: position) : nil
                        report.withLock { report in
                            report.messagesReceived += 1
                            report.bytesReceived += Int64(buffer.readableBytes)
                            report.secondsReceived = position
                            if seconds > 0, report.firstAudioLatency == nil, let first { report.firstAudioLatency = LoadTester.seconds(now - first) }
                            if let sentAt { report.latencies.append(LoadTester.seconds(now - sentAt)) }
                        }
                    }
                }
            }
            if let closed, closed.closeCode != .normalClosure, closed.closeCode != .goingAway {
                report.withLock { $0.errors.append("output socket closed by the server (\(closed.closeCode)): \(closed.reason ?? "no reason")") }
            }
        } catch {
            report.withLock { $0.errors.append("output socket \(url): \(error)") }
        }
    }

    /// How long the output may stay silent after the input ended before its tail counts as in.
    static let quiet: Duration = .milliseconds(500)
}
