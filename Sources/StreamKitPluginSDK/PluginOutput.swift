import CStreamKitNativeABI

/// Sends packets and telemetry to the host during `process` and `flush` (and only then).
public struct PluginOutput {
    let callback: COutputCallback?
    let telemetryCallback: CTelemetryCallback?
    let userData: UnsafeMutableRawPointer?

    /// Sends `packet` on output `pin`. The host copies it before this returns.
    public func send(_ packet: PluginPacket, to pin: String = "out") throws {
        guard let callback else { throw PluginError("no output callback in this call") }
        let result = pin.withCString { pinName in
            CPacketEncoding.withCPacket(packet) { callback(pinName, $0, userData) }
        }
        guard result.success else { throw PluginError("the host refused the packet on output '\(pin)'") }
    }

    /// Publishes a telemetry event (`data` is a JSON object). Best effort: never fails.
    public func emitTelemetry(_ eventType: String, data: [String: PluginJSON] = [:], timestampUs: UInt64? = nil) {
        guard let telemetryCallback else { return }
        let json = Array(PluginJSON.object(data).jsonText.utf8)
        var metadata = CPacketMetadata(
            timestamp_us: timestampUs ?? 0, has_timestamp_us: timestampUs != nil,
            duration_us: 0, has_duration_us: false, sequence: 0, has_sequence: false
        )
        eventType.withCString { type in
            json.withUnsafeBufferPointer { bytes in
                _ = withUnsafePointer(to: &metadata) { pointer in
                    telemetryCallback(type, bytes.baseAddress, bytes.count, timestampUs == nil ? nil : pointer, userData)
                }
            }
        }
    }
}
