import StreamKitCore
import StreamKitEngine

/// One request read from a control connection: what to do, and the id to echo in the response.
struct ControlRequest: Sendable, Equatable {
    /// Echoed in the response; nil when the client sent none.
    var correlationID: String?
    var action: ControlAction
}

/// The requests of the control protocol (§5.3), tagged on the wire by `payload.action`.
/// `session` fields take a session id or name.
enum ControlAction: Sendable, Equatable {
    case createSession(name: String?)
    case destroySession(session: String)
    case listSessions
    case listNodes
    case getPipeline(session: String)
    case addNode(session: String, node: String, kind: String, params: JSONValue?)
    case removeNode(session: String, node: String)
    case connect(session: String, link: PipelineDocument.LinkSpec)
    case disconnect(session: String, link: LinkID)
    /// `tunenode` (`async == false`, answered after the node replies) or `tunenodeasync` (never answered).
    case tuneNode(session: String, node: String, message: NodeControlMessage, async: Bool)
    case validateBatch(session: String, operations: [BatchOperation])
    case applyBatch(session: String, operations: [BatchOperation])
    case getPermissions

    /// The wire name, for logs.
    var name: String {
        switch self {
        case .createSession: "createsession"
        case .destroySession: "destroysession"
        case .listSessions: "listsessions"
        case .listNodes: "listnodes"
        case .getPipeline: "getpipeline"
        case .addNode: "addnode"
        case .removeNode: "removenode"
        case .connect: "connect"
        case .disconnect: "disconnect"
        case .tuneNode(_, _, _, let async): async ? "tunenodeasync" : "tunenode"
        case .validateBatch: "validatebatch"
        case .applyBatch: "applybatch"
        case .getPermissions: "getpermissions"
        }
    }
}

/// The original's `NodeControlMessage`: `{"UpdateParams": {...}}`, `"Start"` or `"Shutdown"`.
enum NodeControlMessage: Sendable, Equatable {
    case updateParams(JSONValue)
    case start
    case shutdown
}

/// One operation of `validatebatch` / `applybatch`, tagged by `action`.
enum BatchOperation: Sendable, Equatable {
    case addNode(node: String, kind: String, params: JSONValue?)
    case removeNode(node: String)
    case connect(PipelineDocument.LinkSpec)
    case disconnect(LinkID)

    /// The wire name of the operation.
    var name: String {
        switch self {
        case .addNode: "addnode"
        case .removeNode: "removenode"
        case .connect: "connect"
        case .disconnect: "disconnect"
        }
    }
}

/// Why an inbound message could not be understood. Sent back as `Invalid JSON: <message>`.
struct ControlDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// Reading requests from, and writing responses and events to, the control protocol's envelope
/// `{type, correlation_id?, payload}`.
enum ControlCodec {
    /// Parses one text message into a request.
    static func decode(_ text: String) throws(ControlDecodingError) -> ControlRequest {
        let root: JSONValue
        do {
            root = try JSONValue.parse(text)
        } catch {
            throw ControlDecodingError(describe(error))
        }
        guard let envelope = root.objectValue else {
            throw ControlDecodingError("expected a JSON object, got \(root.typeName)")
        }
        guard let type = envelope["type"] else { throw ControlDecodingError("missing field `type`") }
        guard let typeName = type.stringValue, ["request", "response", "event"].contains(typeName) else {
            throw ControlDecodingError("unknown variant in field `type`, expected one of `request`, `response`, `event`")
        }
        var correlationID: String?
        switch envelope["correlation_id"] {
        case .none, .some(.null): correlationID = nil
        case .some(.string(let id)): correlationID = id
        case .some(let other): throw ControlDecodingError("field `correlation_id`: expected a string, got \(other.typeName)")
        }
        guard let payloadValue = envelope["payload"] else { throw ControlDecodingError("missing field `payload`") }
        guard let payload = payloadValue.objectValue else {
            throw ControlDecodingError("field `payload`: expected an object, got \(payloadValue.typeName)")
        }
        return ControlRequest(correlationID: correlationID, action: try action(from: Fields(payload, context: "payload")))
    }

    private static func action(from fields: Fields) throws(ControlDecodingError) -> ControlAction {
        let action = try fields.string("action")
        switch action {
        case "createsession":
            return .createSession(name: try fields.optionalString("name"))
        case "destroysession":
            return .destroySession(session: try fields.string("session_id"))
        case "listsessions":
            return .listSessions
        case "listnodes":
            return .listNodes
        case "getpipeline":
            return .getPipeline(session: try fields.string("session_id"))
        case "addnode":
            return .addNode(session: try fields.string("session_id"), node: try fields.string("node_id"), kind: try fields.string("kind"), params: fields.optional("params"))
        case "removenode":
            return .removeNode(session: try fields.string("session_id"), node: try fields.string("node_id"))
        case "connect":
            return .connect(session: try fields.string("session_id"), link: try linkSpec(fields))
        case "disconnect":
            return .disconnect(session: try fields.string("session_id"), link: try linkSpec(fields).id)
        case "tunenode", "tunenodeasync":
            return .tuneNode(
                session: try fields.string("session_id"), node: try fields.string("node_id"),
                message: try controlMessage(try fields.required("message")), async: action == "tunenodeasync"
            )
        case "validatebatch", "applybatch":
            let session = try fields.string("session_id")
            let list = try fields.required("operations")
            guard let items = list.arrayValue else {
                throw ControlDecodingError("field `operations`: expected an array, got \(list.typeName)")
            }
            var operations: [BatchOperation] = []
            for (index, item) in items.enumerated() {
                guard let object = item.objectValue else {
                    throw ControlDecodingError("operations[\(index)]: expected an object, got \(item.typeName)")
                }
                operations.append(try batchOperation(Fields(object, context: "operations[\(index)]")))
            }
            return action == "applybatch"
                ? .applyBatch(session: session, operations: operations)
                : .validateBatch(session: session, operations: operations)
        case "getpermissions":
            return .getPermissions
        default:
            throw ControlDecodingError("unknown variant `\(action)` in field `action`")
        }
    }

    private static func batchOperation(_ fields: Fields) throws(ControlDecodingError) -> BatchOperation {
        let action = try fields.string("action")
        switch action {
        case "addnode":
            return .addNode(node: try fields.string("node_id"), kind: try fields.string("kind"), params: fields.optional("params"))
        case "removenode":
            return .removeNode(node: try fields.string("node_id"))
        case "connect":
            return .connect(try linkSpec(fields))
        case "disconnect":
            return .disconnect(try linkSpec(fields).id)
        default:
            throw ControlDecodingError("\(fields.context): unknown variant `\(action)` in field `action`, expected one of `addnode`, `removenode`, `connect`, `disconnect`")
        }
    }

    private static func linkSpec(_ fields: Fields) throws(ControlDecodingError) -> PipelineDocument.LinkSpec {
        var mode = LinkMode.reliable
        if let value = fields.optional("mode"), !value.isNull {
            guard let text = value.stringValue, let parsed = LinkMode(rawValue: text) else {
                throw ControlDecodingError("\(fields.context).mode: expected `reliable` or `best_effort`, got \(value.jsonString())")
            }
            mode = parsed
        }
        return PipelineDocument.LinkSpec(
            from: try fields.string("from_node"), fromPin: try fields.string("from_pin"),
            to: try fields.string("to_node"), toPin: try fields.string("to_pin"), mode: mode
        )
    }

    private static func controlMessage(_ value: JSONValue) throws(ControlDecodingError) -> NodeControlMessage {
        switch value {
        case .string("Start"): return .start
        case .string("Shutdown"): return .shutdown
        case .object(let object) where object.count == 1 && object["UpdateParams"] != nil:
            return .updateParams(object["UpdateParams"] ?? .null)
        default:
            throw ControlDecodingError("field `message`: expected {\"UpdateParams\": …}, \"Start\" or \"Shutdown\", got \(truncated(value.jsonString()))")
        }
    }

    /// A short, single-line description of a JSON parse failure.
    private static func describe(_ error: any Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case .dataCorrupted(let context):
                if let underlying = context.underlyingError {
                    return "\(context.debugDescription) (\(underlying))"
                }
                return context.debugDescription
            case .keyNotFound(let key, _): return "missing field `\(key.stringValue)`"
            case .typeMismatch(_, let context), .valueNotFound(_, let context): return context.debugDescription
            @unknown default: return "\(decoding)"
            }
        }
        return "\(error)"
    }

    static func truncated(_ text: String, limit: Int = 120) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }

    // MARK: Writing

    /// A response envelope; `correlation_id` is omitted when nil.
    static func response(_ payload: JSONValue, correlationID: String?) -> String {
        var envelope: JSONObject = ["type": "response"]
        if let correlationID { envelope["correlation_id"] = .string(correlationID) }
        envelope["payload"] = payload
        return JSONValue.object(envelope).jsonString()
    }

    /// An event envelope (never carries a correlation id).
    static func event(_ payload: JSONValue) -> String {
        JSONValue.object(["type": "event", "payload": payload]).jsonString()
    }

    /// `{"action":"error","message":…}`.
    static func error(_ message: String) -> JSONValue {
        ["action": "error", "message": .string(message)]
    }

    /// `{"action":"success"}`.
    static let success: JSONValue = ["action": "success"]
}

/// Required and optional fields of one JSON object, with errors that name the field.
private struct Fields {
    let object: JSONObject
    let context: String

    init(_ object: JSONObject, context: String) {
        self.object = object
        self.context = context
    }

    func optional(_ key: String) -> JSONValue? {
        object[key]
    }

    func required(_ key: String) throws(ControlDecodingError) -> JSONValue {
        guard let value = object[key] else {
            throw ControlDecodingError(context == "payload" ? "missing field `\(key)`" : "\(context): missing field `\(key)`")
        }
        return value
    }

    func string(_ key: String) throws(ControlDecodingError) -> String {
        let value = try required(key)
        guard let text = value.stringValue else {
            throw ControlDecodingError("field `\(key)`: expected a string, got \(value.typeName)")
        }
        return text
    }

    func optionalString(_ key: String) throws(ControlDecodingError) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let text = value.stringValue else {
            throw ControlDecodingError("field `\(key)`: expected a string, got \(value.typeName)")
        }
        return text
    }
}
