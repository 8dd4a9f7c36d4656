/// One reason a pipeline (or a single node) may not run for the caller.
public struct AuthorizationProblem: Sendable, Equatable, CustomStringConvertible {
    /// How the HTTP layer should answer.
    public enum Category: String, Sendable, Equatable {
        /// The role is not allowed to do this (HTTP 403).
        case forbidden
        /// The request is malformed or names an unacceptable file (HTTP 400).
        case invalid

        /// The HTTP status code for this category.
        public var httpStatus: Int {
            switch self {
            case .forbidden: 403
            case .invalid: 400
            }
        }
    }

    /// The node the problem is about.
    public var nodeID: String
    /// That node's kind.
    public var kind: String
    /// 403 or 400.
    public var category: Category
    /// The complete message, naming the node: what the caller is told.
    public var message: String
    /// The full reason when ``message`` leaves it out for the caller's sake (a refused file path);
    /// for the server log only. Nil when the message says everything.
    public var detail: String?

    /// Creates a problem.
    public init(nodeID: String, kind: String, category: Category, message: String, detail: String? = nil) {
        self.nodeID = nodeID
        self.kind = kind
        self.category = category
        self.message = message
        self.detail = detail
    }

    public var description: String { message }
}

extension Array where Element == AuthorizationProblem {
    /// The status for a response reporting all these problems: 403 if any is a permission
    /// problem (the caller cannot fix that by editing the pipeline), else 400; nil when empty.
    public var httpStatus: Int? {
        guard !isEmpty else { return nil }
        return contains { $0.category == .forbidden } ? 403 : 400
    }
}
