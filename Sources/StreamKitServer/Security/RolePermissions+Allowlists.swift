/// Compiled views of a role's allowlists, so callers never match patterns by hand.
extension RolePermissions {
    /// `allowedNodes` compiled.
    public var nodeAllowlist: Allowlist { Allowlist(allowedNodes) }
    /// `allowedPlugins` compiled.
    public var pluginAllowlist: Allowlist { Allowlist(allowedPlugins) }
    /// `allowedSamples` compiled.
    public var sampleAllowlist: Allowlist { Allowlist(allowedSamples) }
    /// `allowedAssets` compiled.
    public var assetAllowlist: Allowlist { Allowlist(allowedAssets) }

    /// Whether a node of `kind` may be used: `allowedNodes` must match, and for a `plugin::` kind
    /// `allowedPlugins` must match too.
    public func allowsNodeKind(_ kind: String) -> Bool {
        guard nodeAllowlist.allows(kind) else { return false }
        return !kind.hasPrefix(PipelineAuthorizer.pluginPrefix) || pluginAllowlist.allows(kind)
    }
}
