import Foundation

/// Picks the role for a request (§8.1): the configured role header, else `SK_ROLE`, else the
/// default role; then looks its permissions up.
///
/// The role header is only consulted when `permissions.role_header` is configured, because
/// otherwise any client could claim any role. Even then it must only be trusted behind a proxy
/// that authenticates users and strips client-supplied copies of the header.
public struct RoleResolver: Sendable {
    /// The configured header name, trimmed and lower-cased; nil when not configured (or blank).
    public let roleHeader: String?
    /// `permissions.default_role`.
    public let defaultRole: String
    /// `permissions.roles`.
    public let roles: [String: RolePermissions]
    /// The value of `SK_ROLE` captured at construction; nil when unset or empty.
    public let environmentRole: String?

    /// Creates a resolver.
    /// - Parameters:
    ///   - roleHeader: `permissions.role_header`; nil, empty or blank disables header-based roles.
    ///   - defaultRole: `permissions.default_role`.
    ///   - roles: `permissions.roles`.
    ///   - environmentRole: the `SK_ROLE` value; defaults to the process environment. An empty
    ///     value counts as unset, since an empty role name can only be a mistake.
    public init(
        roleHeader: String?,
        defaultRole: String,
        roles: [String: RolePermissions],
        environmentRole: String? = ProcessInfo.processInfo.environment["SK_ROLE"]
    ) {
        let trimmed = roleHeader?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        self.roleHeader = (trimmed?.isEmpty ?? true) ? nil : trimmed
        self.defaultRole = defaultRole
        self.roles = roles
        self.environmentRole = (environmentRole?.isEmpty ?? true) ? nil : environmentRole
    }

    /// Resolves the role for one request.
    /// - Parameter headerValue: looks a request header up by name. It is called at most once, with
    ///   the configured header name in lower case, and must match names case-insensitively (as HTTP
    ///   field names are). It is never called when no role header is configured.
    public func resolve(headerValue: (String) -> String?) -> ResolvedRole {
        let (name, source) = roleName(headerValue: headerValue)
        if let permissions = roles[name] {
            return ResolvedRole(name: name, permissions: permissions, usedFallback: false, source: source)
        }
        // Unknown role: fall back to the default role's permissions but keep the requested name,
        // as the original does; a missing default role means deny everything.
        let permissions = roles[defaultRole] ?? RolePermissions()
        return ResolvedRole(name: name, permissions: permissions, usedFallback: true, source: source)
    }

    /// Resolves the role from a list of header fields (name matched case-insensitively; the first
    /// field with that name wins).
    public func resolve(headers: [(name: String, value: String)]) -> ResolvedRole {
        resolve { wanted in
            headers.first { $0.name.lowercased() == wanted }?.value
        }
    }

    private func roleName(headerValue: (String) -> String?) -> (String, ResolvedRole.Source) {
        if let roleHeader, let value = headerValue(roleHeader), Self.isValidRoleValue(value) {
            // Verbatim: role names are case-sensitive.
            return (value, .header)
        }
        if let environmentRole {
            return (environmentRole, .environment)
        }
        return (defaultRole, .defaultRole)
    }

    /// A header value is usable when it is non-empty and made of visible ASCII (plus space and tab,
    /// which HTTP allows inside field values). Anything else is ignored rather than rejected, so the
    /// request falls through to `SK_ROLE` / the default role, as in the original.
    static func isValidRoleValue(_ value: String) -> Bool {
        guard !value.isEmpty else { return false }
        return value.utf8.allSatisfy { byte in
            (0x20...0x7E).contains(byte) || byte == 0x09
        }
    }
}
