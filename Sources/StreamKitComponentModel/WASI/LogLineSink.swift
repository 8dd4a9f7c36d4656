import Foundation

/// Turns a guest's stdout/stderr bytes into log lines, with a cap on line length and on lines
/// per second, so a chatty or hostile guest cannot flood the host's logs.
///
/// Lines beyond the rate are dropped and counted; the next line that gets through is preceded
/// by a notice saying how many were dropped.
final class LogLineSink {
    let stream: WASIPreview2.OutputStreamKind
    let configuration: WASIPreview2.Configuration
    private var pending: [UInt8] = []
    private var windowStart = ContinuousClock.now
    private var linesInWindow = 0
    private var dropped = 0

    init(stream: WASIPreview2.OutputStreamKind, configuration: WASIPreview2.Configuration) {
        self.stream = stream
        self.configuration = configuration
    }

    func write(_ bytes: [UInt8]) {
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                emitPending()
            } else if pending.count < configuration.maxLineLength {
                pending.append(byte)
            }
        }
    }

    func flush() {
        if !pending.isEmpty { emitPending() }
    }

    private func emitPending() {
        let line = String(decoding: pending, as: UTF8.self)
        pending.removeAll(keepingCapacity: true)
        let now = ContinuousClock.now
        if now - windowStart >= .seconds(1) {
            windowStart = now
            linesInWindow = 0
        }
        guard linesInWindow < configuration.maxLinesPerSecond else {
            dropped += 1
            return
        }
        linesInWindow += 1
        if dropped > 0 {
            configuration.log(stream, "[\(dropped) lines dropped: more than \(configuration.maxLinesPerSecond) lines per second]")
            dropped = 0
        }
        configuration.log(stream, line)
    }
}
