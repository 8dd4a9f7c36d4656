import Logging

extension ServerConfiguration {
    /// A log verbosity threshold.
    public enum LogLevel: String, Sendable, Equatable, CaseIterable {
        /// Everything, including per-request detail.
        case debug
        /// Normal operation.
        case info
        /// Things that may need attention.
        case warn
        /// Failures only.
        case error

        /// The matching swift-log level (`warn` is `.warning`).
        public var loggerLevel: Logger.Level {
            switch self {
            case .debug: .debug
            case .info: .info
            case .warn: .warning
            case .error: .error
            }
        }
    }

    /// How the log file is written.
    public enum LogFormat: String, Sendable, Equatable, CaseIterable {
        /// One human-readable line per entry.
        case text
        /// One JSON object per line.
        case json
    }

    /// `[log]`: console and file logging.
    public struct Log: Sendable, Equatable {
        /// Log to the console (stderr).
        public var consoleEnable = true
        /// Console threshold.
        public var consoleLevel = LogLevel.info
        /// Also log to ``filePath``. Off by default here (the original defaults to on).
        public var fileEnable = false
        /// File threshold.
        public var fileLevel = LogLevel.info
        /// Log file path.
        public var filePath = "./skit.log"
        /// Log file format.
        public var fileFormat = LogFormat.text

        /// The defaults.
        public init() {}
    }
}
