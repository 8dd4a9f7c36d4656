import Hummingbird

/// The request context of the HTTP routes: Hummingbird's basic one plus the caller, resolved once
/// per request by ``SecurityMiddleware`` before any route runs. Routes read ``caller`` and never
/// look at the role header themselves.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who is asking. ``Caller/nobody`` (no permissions) until the middleware has resolved the role,
    /// so a route mounted without it fails closed.
    public var caller: Caller = .nobody

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }
}
