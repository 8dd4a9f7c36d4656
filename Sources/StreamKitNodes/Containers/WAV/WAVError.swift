/// An error raised while reading a WAV stream.
///
/// WAV input usually comes from outside the process (uploads, pipes, HTTP bodies), so the
/// parser never traps on bad input: it reports what was wrong as a `WAVError` whose
/// `message` names the offending field and the value it found, which is what a user needs
/// to tell a truncated upload from a mislabelled MP3 or a buggy encoder.
public struct WAVError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A human-readable explanation, e.g.
    /// `"WAV fmt chunk declares 0 channels; expected 1...64"`.
    public var message: String

    /// Creates an error with the given human-readable message.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
