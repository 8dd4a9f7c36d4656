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
    /// The permissions in force (none at all for a refused role).
    public var permissions: RolePermissions
    /// True when ``name`` is not a configured role and `permissions.unknown_role_fallback` lent it the
    /// default role's permissions (or, without a default role, none at all). Worth a warning log.
    public var usedFallback: Bool
    /// Where ``name`` came from.
    public var source: Source
    /// Why the caller gets no role at all (an undefined role, a repeated or malformed role header);
    /// nil when a role was found. The transports answer a refusal with 403 before any handler runs.
    public var refusal: String?

    /// Creates a resolved role.
    public init(name: String, permissions: RolePermissions, usedFallback: Bool, source: Source, refusal: String? = nil) {
        self.name = name
        self.permissions = permissions
        self.usedFallback = usedFallback
        self.source = source
        self.refusal = refusal
    }

    /// A caller that gets no permissions, and why.
    static func refused(name: String, source: Source, _ reason: String) -> ResolvedRole {
        ResolvedRole(name: name, permissions: RolePermissions(), usedFallback: false, source: source, refusal: reason)
    }
}
