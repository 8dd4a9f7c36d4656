/// The outcome of role resolution for one HTTP request or one WebSocket connection.
public struct ResolvedRole: Sendable, Equatable {
    /// Where the role name came from.
    public enum Source: String, Sendable, Equatable {
        /// The configured `permissions.role_header` request header.
        case header
        /// The `SK_ROLE` environment variable.
        case environment
        /// `permissions.default_role`.
        case defaultRole
    }

    /// The role name as requested, even when it is not a configured role: it is what
    /// `/api/v1/permissions` reports and what sessions record as their owner.
    public var name: String
    /// The permissions in force.
    public var permissions: RolePermissions
    /// True when ``name`` is not a configured role, so the default role's permissions
    /// (or, without a default role, no permissions at all) were substituted. Worth a warning log.
    public var usedFallback: Bool
    /// Where ``name`` came from.
    public var source: Source

    /// Creates a resolved role.
    public init(name: String, permissions: RolePermissions, usedFallback: Bool, source: Source) {
        self.name = name
        self.permissions = permissions
        self.usedFallback = usedFallback
        self.source = source
    }
}
