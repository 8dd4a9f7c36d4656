/// Every operation a role needs a permission flag for, with that flag and the refusal's wording:
/// the one table of who may do what. Services check it through ``Caller/authorize(_:)``.
public enum ServiceOperation: Sendable, CaseIterable {
    case createSession, listSessions, viewPipeline, destroySession, modifySession, tuneNodes
    case runOneshot, listNodes
    case listSamples, readSample, saveSample, deleteSample
    case uploadAsset, deleteAsset
    case loadPlugin, deletePlugin

    /// Whether `permissions` grant the operation, and what a refusal says after "Permission denied: ".
    func check(_ permissions: RolePermissions) -> (granted: Bool, refusal: String) {
        switch self {
        case .createSession: (permissions.createSessions, "cannot create sessions")
        case .listSessions: (permissions.listSessions, "cannot list sessions")
        case .viewPipeline: (permissions.listSessions, "cannot view pipelines")
        case .destroySession: (permissions.destroySessions, "cannot destroy sessions")
        case .modifySession: (permissions.modifySessions, "cannot modify sessions")
        case .tuneNodes: (permissions.tuneNodes, "cannot tune nodes")
        // Oneshot runs need `create_sessions`, as in the original.
        case .runOneshot: (permissions.createSessions, "cannot execute oneshot pipelines")
        case .listNodes: (permissions.listNodes, "cannot list nodes")
        case .listSamples: (permissions.listSamples, "cannot list samples")
        case .readSample: (permissions.readSamples, "cannot read samples")
        case .saveSample: (permissions.writeSamples, "cannot save samples")
        case .deleteSample: (permissions.deleteSamples, "cannot delete samples")
        case .uploadAsset: (permissions.uploadAssets, "cannot upload assets")
        case .deleteAsset: (permissions.deleteAssets, "cannot delete assets")
        case .loadPlugin: (permissions.loadPlugins, "your role may not load plugins (permissions: load_plugins)")
        case .deletePlugin: (permissions.deletePlugins, "your role may not delete plugins (permissions: delete_plugins)")
        }
    }
}
