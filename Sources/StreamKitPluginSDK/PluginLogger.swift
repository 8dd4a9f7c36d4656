import CStreamKitNativeABI

/// Writes to the server's log, under the plugin's kind. Safe to use from any thread and to keep
/// for the instance's whole life.
public struct PluginLogger: @unchecked Sendable {
    // @unchecked: the host's log callback is thread-safe by contract (ABI §1.10) and the user
    // data pointer is the host's, valid for the life of the process.
    private let callback: CLogCallback?
    private let userData: UnsafeMutableRawPointer?
    private let target: String

    init(callback: CLogCallback?, userData: UnsafeMutableRawPointer?, target: String) {
        self.callback = callback
        self.userData = userData
        self.target = target
    }

    public enum Level: Sendable {
        case trace, debug, info, warn, error
        var c: CLogLevel {
            switch self {
            case .trace: LOG_LEVEL_TRACE
            case .debug: LOG_LEVEL_DEBUG
            case .info: LOG_LEVEL_INFO
            case .warn: LOG_LEVEL_WARN
            case .error: LOG_LEVEL_ERROR
            }
        }
    }

    public func log(_ level: Level, _ message: String) {
        guard let callback else { return }
        target.withCString { target in
            message.withCString { message in callback(level.c, target, message, userData) }
        }
    }

    public func trace(_ message: String) { log(.trace, message) }
    public func debug(_ message: String) { log(.debug, message) }
    public func info(_ message: String) { log(.info, message) }
    public func warn(_ message: String) { log(.warn, message) }
    public func error(_ message: String) { log(.error, message) }
}
