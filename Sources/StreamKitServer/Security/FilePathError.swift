/// Why ``FilePathPolicy`` refused a path. ``message`` names the path as given, what it resolved to
/// when that is known, and the setting to change when the refusal is a policy decision.
public struct FilePathError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of refusal, for callers and tests that must not depend on message wording.
    public enum Reason: String, Sendable, Equatable {
        /// Empty, or containing a NUL character.
        case invalidPath
        /// The read target could not be canonicalized (usually: it does not exist).
        case unresolvable
        /// The canonical path matches no pattern of the relevant allowlist.
        case outsideAllowedPaths
        /// The read target (or an existing write target) is a directory, device, FIFO…
        case notARegularFile
        /// `security.allowed_write_paths` is empty.
        case writesDisabled
        /// A write path contains a `..` component.
        case parentTraversal
        /// A write path ends in `/` or `.`.
        case missingFileName
        /// A write path's parent directory does not exist or cannot be resolved.
        case parentUnresolvable
        /// A write path's parent resolves to something that is not a directory.
        case parentNotADirectory
        /// A write path is an existing symlink whose destination cannot be resolved.
        case danglingSymlink
    }

    /// The kind of refusal.
    public var reason: Reason
    /// The human-readable explanation.
    public var message: String

    /// Creates an error.
    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { message }
}
