import StreamKitCore

/// What a media socket carries: raw PCM frames (the default) or an Ogg Opus stream.
///
/// A client picks it with the `encoding` query parameter of the socket URL
/// (`…/media/{node}?encoding=ogg_opus`, both directions) or, on an input socket, with the
/// `encoding` field of its `{"type":"format",…}` message. A node's `encoding` parameter fixes
/// it: a client asking for the other one is refused with a close reason saying so.
public enum MediaEncoding: String, Sendable, CaseIterable {
    /// Interleaved little-endian samples (`f32le` or `s16le`, see ``PCMFormat``).
    case pcm
    /// Ogg pages of one Opus stream (RFC 7845), `OpusHead` and `OpusTags` first; decoded audio is 48 kHz.
    case oggOpus = "ogg_opus"

    /// The names a client may use, for error messages.
    public static let names = allCases.map(\.rawValue).joined(separator: " or ")

    /// Reads a name; the error names the value and the choices.
    public static func parse(_ name: String) throws(StreamKitError) -> MediaEncoding {
        guard let encoding = MediaEncoding(rawValue: name) else {
            throw .invalidData("unknown media encoding '\(name)' (expected \(names))")
        }
        return encoding
    }

    /// Checks a client's choice against the node's fixed encoding.
    public static func resolve(requested: MediaEncoding?, fixed: MediaEncoding?, node: String) throws(StreamKitError) -> MediaEncoding {
        if let requested, let fixed, requested != fixed {
            throw .invalidData("node '\(node)' carries \(fixed.rawValue) only (its encoding parameter), not \(requested.rawValue)")
        }
        return requested ?? fixed ?? .pcm
    }

    /// The announcement of an Ogg Opus stream: `{"type":"format","encoding":"ogg_opus",…}`.
    public static func oggOpusAnnouncement(channels: Int?) -> JSONValue {
        var object: JSONObject = ["type": "format", "encoding": .string(MediaEncoding.oggOpus.rawValue), "sample_rate": 48000]
        if let channels { object["channels"] = .number(Double(channels)) }
        return .object(object)
    }
}
