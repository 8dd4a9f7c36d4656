/// Why a plugin operation was refused. `status` is the HTTP status the server answers with.
public enum PluginManagerError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The file name is not a plain, short file name with a plugin extension.
    case invalidFileName(String)
    /// The file loaded badly (not a library, wrong ABI, bad metadata, …): the loader's reason.
    case loadFailed(file: String, reason: String)
    /// No loader for this type in this build.
    case unsupportedType(PluginType)
    /// The kind belongs to a built-in node, or the file name to another plugin.
    case conflict(String)
    /// The caller may not load this kind.
    case forbidden(String)
    /// No plugin of this kind is loaded.
    case notLoaded(String)
    /// The plugin directory could not be written.
    case storage(String)

    public var description: String {
        switch self {
        case .invalidFileName(let reason): "invalid plugin file name: \(reason)"
        case .loadFailed(_, let reason): reason
        case .unsupportedType(let type): "\(type.rawValue) plugins are not supported by this server build"
        case .conflict(let message), .forbidden(let message), .storage(let message): message
        case .notLoaded(let kind): "Plugin '\(kind)' is not currently loaded"
        }
    }

    /// 400, 403, 404, 409, 422 or 500.
    public var status: Int {
        switch self {
        case .invalidFileName: 400
        case .forbidden: 403
        case .notLoaded: 404
        case .conflict: 409
        case .loadFailed, .unsupportedType: 422
        case .storage: 500
        }
    }
}
