import StreamKitPluginSDK

/// `gain_native_swift` (registered as `plugin::native::gain_native_swift`): multiplies raw f32
/// audio by a gain in decibels (`gain_db`, −60…+20 dB), tunable while it runs.
final class GainPlugin: NativePlugin {
    static let metadata = PluginMetadata(
        kind: "gain_native_swift",
        description: "Audio gain in decibels, written in Swift",
        inputs: [PluginInput("in", accepts: [.rawAudio()])],
        outputs: [PluginOutputPin("out", produces: .rawAudio())],
        paramSchema: #"{"type":"object","properties":{"gain_db":{"type":"number","default":0,"minimum":-60,"maximum":20,"description":"Gain in decibels","tunable":true}}}"#,
        categories: ["audio", "filters"]
    )

    private var linear: Float
    private let logger: PluginLogger

    init(params: PluginParams, logger: PluginLogger) throws {
        linear = try Self.linear(params)
        self.logger = logger
        logger.info("gain_native_swift ready at \(params.double("gain_db") ?? 0) dB")
    }

    func process(pin: String, packet: PluginPacket, output: PluginOutput) throws {
        guard case .audio(var frame) = packet else { throw PluginError("gain_native_swift only accepts raw audio") }
        for index in frame.samples.indices { frame.samples[index] *= linear }
        try output.send(.audio(frame))
    }

    func updateParams(_ params: PluginParams) throws {
        linear = try Self.linear(params)
    }

    private static func linear(_ params: PluginParams) throws -> Float {
        guard let db = params.double("gain_db") ?? (params["gain_db"] == nil ? 0 : nil) else {
            throw PluginError("gain_db must be a number")
        }
        guard (-60...20).contains(db) else { throw PluginError("gain_db must be between -60 and 20 dB, got \(db)") }
        return Float(pow10(db / 20))
    }

    private static func pow10(_ exponent: Double) -> Double {
        // exp(x·ln 10) without Foundation.
        var result = 1.0, term = 1.0
        let x = exponent * 2.302585092994046
        for n in 1...40 { term *= x / Double(n); result += term }
        return result
    }
}

@_cdecl("streamkit_native_plugin_api") public func streamkitPluginAPI() -> UnsafeRawPointer { exportPlugin(GainPlugin.self) }
