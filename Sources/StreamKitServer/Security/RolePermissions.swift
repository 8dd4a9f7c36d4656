/// What one role may do: the original's 15 permission flags and four glob allowlists.
///
/// Allowlists hold glob patterns (`*`, `?`, `[…]`, `**`; `*` also matches `/` and `::`);
/// an empty list denies everything, `["*"]` allows everything.
public struct RolePermissions: Sendable, Equatable, Codable {
    public var createSessions = false
    public var destroySessions = false
    public var listSessions = false
    public var modifySessions = false
    public var tuneNodes = false
    public var loadPlugins = false
    public var deletePlugins = false
    public var listNodes = false
    public var listSamples = false
    public var readSamples = false
    public var writeSamples = false
    public var deleteSamples = false
    public var accessAllSessions = false
    public var uploadAssets = false
    public var deleteAssets = false
    /// Sample pipeline paths relative to `server.samples_dir`.
    public var allowedSamples: [String] = []
    /// Node kinds.
    public var allowedNodes: [String] = []
    /// Namespaced plugin kinds (`plugin::native::whisper`). A plugin node must pass this and `allowedNodes`.
    public var allowedPlugins: [String] = []
    /// Audio asset paths (`samples/audio/user/x.wav`).
    public var allowedAssets: [String] = []

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case createSessions = "create_sessions"
        case destroySessions = "destroy_sessions"
        case listSessions = "list_sessions"
        case modifySessions = "modify_sessions"
        case tuneNodes = "tune_nodes"
        case loadPlugins = "load_plugins"
        case deletePlugins = "delete_plugins"
        case listNodes = "list_nodes"
        case listSamples = "list_samples"
        case readSamples = "read_samples"
        case writeSamples = "write_samples"
        case deleteSamples = "delete_samples"
        case accessAllSessions = "access_all_sessions"
        case uploadAssets = "upload_assets"
        case deleteAssets = "delete_assets"
        case allowedSamples = "allowed_samples"
        case allowedNodes = "allowed_nodes"
        case allowedPlugins = "allowed_plugins"
        case allowedAssets = "allowed_assets"
    }

    /// Every permission granted, every allowlist `*`.
    public static let admin: RolePermissions = {
        var permissions = RolePermissions()
        permissions.createSessions = true
        permissions.destroySessions = true
        permissions.listSessions = true
        permissions.modifySessions = true
        permissions.tuneNodes = true
        permissions.loadPlugins = true
        permissions.deletePlugins = true
        permissions.listNodes = true
        permissions.listSamples = true
        permissions.readSamples = true
        permissions.writeSamples = true
        permissions.deleteSamples = true
        permissions.accessAllSessions = true
        permissions.uploadAssets = true
        permissions.deleteAssets = true
        permissions.allowedSamples = ["*"]
        permissions.allowedNodes = ["*"]
        permissions.allowedPlugins = ["*"]
        permissions.allowedAssets = ["*"]
        return permissions
    }()

    /// The original's `user` role: sessions and samples yes; plugins, file writes, other people's sessions no.
    public static let user: RolePermissions = {
        var permissions = admin
        permissions.loadPlugins = false
        permissions.deletePlugins = false
        permissions.accessAllSessions = false
        permissions.allowedSamples = ["oneshot/*.yml", "oneshot/*.yaml", "dynamic/*.yml", "dynamic/*.yaml", "user/*.yml", "user/*.yaml"]
        permissions.allowedNodes = [
            "audio::*", "containers::*", "transport::moq::*", "core::passthrough", "core::file_reader", "core::pacer",
            "core::json_serialize", "core::text_chunker", "core::script", "core::telemetry_tap", "core::telemetry_out",
            "core::sink", "plugin::*",
        ]
        permissions.allowedPlugins = ["plugin::*"]
        permissions.allowedAssets = ["samples/audio/system/*", "samples/audio/user/*"]
        return permissions
    }()

    /// The 15 flags as the `PermissionsInfo` JSON object (allowlists are never exposed).
    public var flags: [(name: String, value: Bool)] {
        [
            ("create_sessions", createSessions), ("destroy_sessions", destroySessions), ("list_sessions", listSessions),
            ("modify_sessions", modifySessions), ("tune_nodes", tuneNodes), ("load_plugins", loadPlugins),
            ("delete_plugins", deletePlugins), ("list_nodes", listNodes), ("list_samples", listSamples),
            ("read_samples", readSamples), ("write_samples", writeSamples), ("delete_samples", deleteSamples),
            ("access_all_sessions", accessAllSessions), ("upload_assets", uploadAssets), ("delete_assets", deleteAssets),
        ]
    }
}
