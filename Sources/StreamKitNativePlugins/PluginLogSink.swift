import CStreamKitNativeABI
import Foundation
import Logging
import Synchronization

/// Where a plugin's log callback lands: the server log, under a logger labelled with the
/// plugin's kind (`plugin.native.gain`), so log handlers can filter one plugin in or out.
///
/// The host passes this object as the log callback's `user_data` (the original passed NULL;
/// plugins hand back whatever they were given). A plugin may log from any thread at any time,
/// even after its last instance is gone, so every sink is kept alive for the life of the process.
final class PluginLogSink: Sendable {
    let kind: String
    private let logger: Logger
    private let budget = Mutex(LogBudget())
    /// The last error-level line each thread logged, so a refused `create_instance` (which can only
    /// return NULL) can say why: keyed by the calling thread.
    private let lastErrors = Mutex<[UInt: String]>([:])
    /// The pointer handed to plugins as the log callback's `user_data`.
    var userData: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// Lines per second a plugin may log before lines are dropped (and the drops counted).
    static let linesPerSecond = 200

    init(kind: String, logger base: Logger) {
        self.kind = kind
        var logger = Logger(label: "plugin.native.\(kind.replacingOccurrences(of: NativePluginABI.kindPrefix, with: ""))")
        logger.logLevel = base.logLevel
        logger[metadataKey: "plugin"] = "\(kind)"
        self.logger = logger
        // One retain that is never released: the sink outlives every call a plugin can make.
        _ = Unmanaged.passRetained(self)
    }

    func log(level: CLogLevel, target: String, message: String) {
        if level.rawValue >= LOG_LEVEL_ERROR.rawValue {
            let key = Self.threadKey
            lastErrors.withLock { $0[key] = message }
        }
        let dropped = budget.withLock { $0.admit(now: Date().timeIntervalSince1970) }
        guard let dropped else { return }
        if dropped > 0 {
            logger.warning("\(dropped) log lines of this plugin were dropped (more than \(Self.linesPerSecond) per second)")
        }
        logger.log(level: Self.level(level), "\(message)", metadata: ["target": "\(target)"])
    }

    /// Forgets (and returns) the last error this thread logged.
    func takeLastError() -> String? {
        let key = Self.threadKey
        return lastErrors.withLock { $0.removeValue(forKey: key) }
    }

    private static var threadKey: UInt {
        #if canImport(Darwin)
        UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(pthread_self())))
        #else
        UInt(pthread_self())
        #endif
    }

    static func level(_ level: CLogLevel) -> Logger.Level {
        switch level {
        case LOG_LEVEL_TRACE: .trace
        case LOG_LEVEL_DEBUG: .debug
        case LOG_LEVEL_INFO: .info
        case LOG_LEVEL_WARN: .warning
        default: .error
        }
    }
}

/// A per-second line budget; returns nil to drop a line, or how many were dropped before it.
struct LogBudget {
    private var second: Int = 0
    private var used = 0
    private var dropped = 0

    mutating func admit(now: Double) -> Int? {
        let current = Int(now)
        if current != second {
            second = current
            used = 0
        }
        guard used < PluginLogSink.linesPerSecond else {
            dropped += 1
            return nil
        }
        used += 1
        defer { dropped = 0 }
        return dropped
    }
}
