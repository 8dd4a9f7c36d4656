/// A side-channel observation a node publishes (not a packet): a speech result, an audio
/// level, a custom event. Clients see these as `nodetelemetry` events.
public struct TelemetryEvent: Sendable, Equatable {
    public static let typeID = "core::telemetry/event@1"

    public var sessionID: String?
    public var nodeID: String
    /// e.g. `audio.level`, `stt.result`, `telemetry.health`.
    public var eventType: String
    /// The event's data object; always holds `event_type` too.
    public var data: JSONValue
    /// Wall-clock time of the event in microseconds since 1970.
    public var timestampUs: UInt64

    public init(sessionID: String?, nodeID: String, eventType: String, data: JSONValue, timestampUs: UInt64) {
        self.sessionID = sessionID
        self.nodeID = nodeID
        self.eventType = eventType
        self.data = data
        self.timestampUs = timestampUs
    }

    /// The event as the original's custom packet (`core::telemetry/event@1`).
    public var packet: CustomPacket {
        CustomPacket(typeID: Self.typeID, data: data, metadata: PacketMetadata(timestampUs: timestampUs))
    }
}

/// Where a node's context sends what it observes about itself. The engine provides one per run.
public struct NodeEventSink: Sendable {
    /// Called on every state change.
    public var stateChanged: @Sendable (_ nodeID: String, _ state: NodeState) -> Void
    /// Offers a telemetry event; returns false when the bus is full (the event is dropped).
    public var telemetry: @Sendable (TelemetryEvent) -> Bool

    public init(
        stateChanged: @escaping @Sendable (_ nodeID: String, _ state: NodeState) -> Void,
        telemetry: @escaping @Sendable (TelemetryEvent) -> Bool
    ) {
        self.stateChanged = stateChanged
        self.telemetry = telemetry
    }

    /// Discards everything.
    public static let discarding = NodeEventSink(stateChanged: { _, _ in }, telemetry: { _ in false })
}
