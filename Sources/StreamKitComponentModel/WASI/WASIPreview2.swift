import Foundation

/// A WASI 0.2 host that grants nothing by default: every interface of `wasi:cli/imports`,
/// matched for any 0.2.x version a component asks for, with
/// - stdout and stderr turned into rate-limited log lines (``Configuration/log``);
/// - stdin empty; no environment variables, arguments, preopened directories or sockets
///   (socket and name-lookup constructors return `access-denied`);
/// - working clocks and random numbers;
/// - `exit` ending the call with a ``ComponentError/Code/exit`` error.
///
/// ```swift
/// var linker = ComponentLinker()
/// WASIPreview2(configuration: .init(log: { stream, line in print("[\(stream)] \(line)") })).define(in: &linker)
/// ```
public final class WASIPreview2 {
    /// Which output stream a log line came from.
    public enum OutputStreamKind: Sendable, CustomStringConvertible {
        case stdout, stderr
        public var description: String { self == .stdout ? "stdout" : "stderr" }
    }

    /// What the guest may see and how its output is reported.
    public struct Configuration {
        /// Receives each complete line the guest writes to stdout or stderr.
        public var log: (OutputStreamKind, String) -> Void
        /// Lines per second per stream; further lines are dropped and counted. (Default: 100)
        public var maxLinesPerSecond: Int
        /// Bytes kept per line; the rest of a longer line is dropped. (Default: 4096)
        public var maxLineLength: Int

        public init(log: @escaping (OutputStreamKind, String) -> Void = { _, _ in }, maxLinesPerSecond: Int = 100, maxLineLength: Int = 4096) {
            self.log = log
            self.maxLinesPerSecond = maxLinesPerSecond
            self.maxLineLength = maxLineLength
        }
    }

    /// The version every interface is defined at; components asking for any 0.2.x match it.
    public static let version = "0.2.0"

    let configuration: Configuration
    let stdout: LogLineSink
    let stderr: LogLineSink
    /// Pollables by representation: the monotonic instant at which each becomes ready.
    var pollables: [UInt32: UInt64] = [:]
    var nextPollable: UInt32 = 1
    /// How long a guest may block in `poll` or `block` in one go.
    var maxBlockingWait: Duration = .milliseconds(50)
    let startInstant = ContinuousClock.now

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        stdout = LogLineSink(stream: .stdout, configuration: configuration)
        stderr = LogLineSink(stream: .stderr, configuration: configuration)
    }

    /// Emits any partial last lines the guest wrote without a newline.
    public func flush() {
        stdout.flush()
        stderr.flush()
    }

    static func name(_ interface: String) -> String { "wasi:\(interface)@\(version)" }

    /// Defines every interface of `wasi:cli/imports@0.2` in `linker`.
    /// - Parameter maxBlockingWait: the longest a guest may sleep in `poll`/`block`; use the
    ///   call's CPU budget so that sleeping cannot outlast it. (Default: 50 ms)
    public func define(in linker: inout ComponentLinker, maxBlockingWait: Duration = .milliseconds(50)) {
        self.maxBlockingWait = maxBlockingWait
        let io = defineIO(in: &linker)
        defineCLI(in: &linker, io: io)
        defineClocks(in: &linker, io: io)
        defineRandom(in: &linker)
        defineDenied(in: &linker, io: io)
    }

    /// The resource types of `wasi:io`, which the other interfaces refer to.
    struct IOTypes {
        let error: ResourceType
        let pollable: ResourceType
        let inputStream: ResourceType
        let outputStream: ResourceType
        var streamError: ComponentValueType { .variant([.init("last-operation-failed", .own(error)), .init("closed")]) }
    }

    func newPollable(readyAt instant: UInt64) -> UInt32 {
        let rep = nextPollable
        nextPollable &+= 1
        pollables[rep] = instant
        return rep
    }

    var monotonicNow: UInt64 {
        let elapsed = ContinuousClock.now - startInstant
        let (seconds, attoseconds) = elapsed.components
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}
