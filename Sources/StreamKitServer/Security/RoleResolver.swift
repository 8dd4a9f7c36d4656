import Foundation

/// Picks the role for a request (§8.1): the configured role header, else `SK_ROLE`, else the
/// default role; then looks its permissions up.
///
/// The role header is only consulted when `permissions.role_header` is configured, because
/// otherwise any client could claim any role. Even then it must only be trusted behind a proxy
/// that authenticates users and strips client-supplied copies of the header.
///
/// A role name that is not configured is refused (no permissions at all, and a ``ResolvedRole/refusal``
/// the HTTP and WebSocket layers answer with 403) unless `permissions.unknown_role_fallback` opts into the
/// original's behaviour of lending such a caller the default role's permissions. The original's fallback
/// made `x-role: nosuchrole` an admin whenever the default role was `admin`.
public struct RoleResolver: Sendable {
    /// The configured header name, trimmed and lower-cased; nil when not configured (or blank).
    public let roleHeader: String?
    /// `permissions.default_role`.
    public let defaultRole: String
    /// `permissions.roles`.
    public let roles: [String: RolePermissions]
    /// The value of `SK_ROLE` captured at construction; nil when unset or empty.
    public let environmentRole: String?
    /// `permissions.unknown_role_fallback`: lend unknown roles the default role's permissions.
    public let unknownRoleFallback: Bool

    /// Creates a resolver.
    /// - Parameters:
    ///   - roleHeader: `permissions.role_header`; nil, empty or blank disables header-based roles.
    ///     (A loaded configuration never holds a blank one: it is refused at start.)
    ///   - defaultRole: `permissions.default_role`.
    ///   - roles: `permissions.roles`.
    ///   - environmentRole: the `SK_ROLE` value; defaults to the process environment. An empty
    ///     value counts as unset, since an empty role name can only be a mistake.
    ///   - unknownRoleFallback: `permissions.unknown_role_fallback` (off by default).
    public init(
        roleHeader: String?,
        defaultRole: String,
        roles: [String: RolePermissions],
        environmentRole: String? = ProcessInfo.processInfo.environment["SK_ROLE"],
        unknownRoleFallback: Bool = false
    ) {
        let trimmed = roleHeader?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        self.roleHeader = (trimmed?.isEmpty ?? true) ? nil : trimmed
        self.defaultRole = defaultRole
        self.roles = roles
        self.environmentRole = (environmentRole?.isEmpty ?? true) ? nil : environmentRole
        self.unknownRoleFallback = unknownRoleFallback
    }

    /// Resolves the role for one request.
    /// - Parameter headerValues: every value of a request header, looked up by name. It is called at
    ///   most once, with the configured header name in lower case, and must match names
    ///   case-insensitively (as HTTP field names are). It is never called when no role header is configured.
    public func resolve(headerValues: (String) -> [String]) -> ResolvedRole {
        let name: String
        let source: ResolvedRole.Source
        if let roleHeader, case let values = headerValues(roleHeader).filter({ !$0.isEmpty }), !values.isEmpty {
            // Two copies of the header are what a client adds when a proxy appends instead of replacing:
            // trusting either would let the client pick its role.
            guard values.count == 1, let value = values.first else {
                return .refused(name: "", source: .header, "the '\(roleHeader)' header appears more than once; send exactly one role")
            }
            guard Self.isValidRoleValue(value) else {
                return .refused(name: "", source: .header, "the '\(roleHeader)' header is not a valid role name (visible ASCII only)")
            }
            // Verbatim: role names are case-sensitive.
            (name, source) = (value, .header)
        } else if let environmentRole {
            (name, source) = (environmentRole, .environment)
        } else {
            (name, source) = (defaultRole, .defaultRole)
        }
        if let permissions = roles[name] {
            return ResolvedRole(name: name, permissions: permissions, usedFallback: false, source: source)
        }
        guard unknownRoleFallback else {
            return .refused(name: name, source: source, "role '\(name)' is not defined (permissions.roles)")
        }
        // The original's fallback, opted into: the default role's permissions under the requested name;
        // a missing default role means deny everything.
        let permissions = roles[defaultRole] ?? RolePermissions()
        return ResolvedRole(name: name, permissions: permissions, usedFallback: true, source: source)
    }

    /// Resolves the role from a list of header fields (names matched case-insensitively).
    public func resolve(headers: [(name: String, value: String)]) -> ResolvedRole {
        resolve { wanted in
            headers.filter { $0.name.lowercased() == wanted }.map(\.value)
        }
    }

    /// A header value is usable when it is non-empty and made of visible ASCII (plus space and tab,
    /// which HTTP allows inside field values).
    static func isValidRoleValue(_ value: String) -> Bool {
        guard !value.isEmpty else { return false }
        return value.utf8.allSatisfy { byte in
            (0x20...0x7E).contains(byte) || byte == 0x09
        }
    }

    /// Whether `name` is usable as an HTTP header name: a non-empty RFC 9110 token.
    public static func isValidHeaderName(_ name: String) -> Bool {
        let delimiters = Set("\"(),/:;<=>?@[\\]{}".utf8)
        return !name.isEmpty && name.utf8.allSatisfy { byte in
            (0x21...0x7E).contains(byte) && !delimiters.contains(byte)
        }
    }
}
