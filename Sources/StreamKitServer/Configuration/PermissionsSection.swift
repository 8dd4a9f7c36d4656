extension ServerConfiguration {
    /// `[permissions]`: who may do what, and global concurrency limits.
    public struct Permissions: Sendable, Equatable {
        /// Role used when no trusted header or `SK_ROLE` names one.
        public var defaultRole = "admin"
        /// Trusted request header naming the role (set only behind an authenticating proxy); nil ignores headers.
        public var roleHeader: String?
        /// Allow listening on a non-loopback address without ``roleHeader``.
        public var allowInsecureNoAuth = false
        /// Lend a caller whose role is not defined the default role's permissions (the original's
        /// behaviour). Off: such a caller is refused with 403.
        public var unknownRoleFallback = false
        /// Most dynamic sessions at once; nil means unlimited.
        public var maxConcurrentSessions: Int?
        /// Most oneshot runs at once; nil means unlimited.
        public var maxConcurrentOneshots: Int?
        /// Roles by name. The built-in `admin` and `user` are always present.
        public var roles: [String: RolePermissions] = Permissions.builtInRoles

        /// The built-in roles, `admin` and `user`.
        public static let builtInRoles: [String: RolePermissions] = ["admin": .admin, "user": .user]

        /// The defaults.
        public init() {}
    }
}
