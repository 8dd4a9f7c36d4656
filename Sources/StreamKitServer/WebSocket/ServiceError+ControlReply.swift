import StreamKitCore

extension ServiceError {
    /// The text of the control plane's error reply: the one mapping from domain errors to WebSocket answers.
    var controlMessage: String {
        switch self {
        // The original's wording, without the configured limit the HTTP answer names.
        case .sessionLimit: "Maximum concurrent sessions limit reached"
        default: message
        }
    }

    /// `{"action":"error","message":…}` for this error.
    var controlReply: JSONValue {
        ControlCodec.error(controlMessage)
    }
}
