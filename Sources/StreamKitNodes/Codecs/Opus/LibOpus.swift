import COpus
import StreamKitCore

/// A libopus decoder at 48 kHz for one stream.
///
/// `@unchecked Sendable`: the C state is touched only by the node that owns it, one call at a
/// time, on that node's serial blocking queue; it moves between threads but is never shared.
final class LibOpusDecoder: @unchecked Sendable {
    /// The largest packet Opus defines: 120 ms at 48 kHz.
    static let maxFrameSamples = 5760

    let channels: Int
    private let decoder: OpaquePointer
    private var scratch: [Float]

    init(channels: Int) throws(StreamKitError) {
        guard channels == 1 || channels == 2 else {
            throw .codec("audio::opus::decoder decodes 1 or 2 channels, not \(channels)")
        }
        var error: Int32 = 0
        guard let decoder = opus_decoder_create(48_000, Int32(channels), &error), error == OPUS_OK else {
            throw .codec("opus_decoder_create failed: \(Self.message(error))")
        }
        self.decoder = decoder
        self.channels = channels
        scratch = [Float](repeating: 0, count: Self.maxFrameSamples * channels)
    }

    deinit { opus_decoder_destroy(decoder) }

    /// Decodes one packet into interleaved floats (`samples per channel × channels`).
    func decode(_ packet: [UInt8]) throws(StreamKitError) -> [Float] {
        let maxSamples = Int32(Self.maxFrameSamples)
        guard !packet.isEmpty else { throw .codec("empty Opus packet") }
        let count = packet.withUnsafeBufferPointer { input in
            scratch.withUnsafeMutableBufferPointer { output -> Int32 in
                guard let out = output.baseAddress else { return OPUS_BAD_ARG }
                return opus_decode_float(decoder, input.baseAddress, Int32(input.count), out, maxSamples, 0)
            }
        }
        guard count >= 0 else { throw .codec("opus_decode_float: \(Self.message(count))") }
        return Array(scratch[0..<Int(count) * channels])
    }

    static func message(_ code: Int32) -> String {
        String(cString: opus_strerror(code))
    }
}

/// A libopus encoder with a fixed rate, channel count and frame size.
///
/// `@unchecked Sendable` for the same reason as `LibOpusDecoder`: one owner, one serial queue.
final class LibOpusEncoder: @unchecked Sendable {
    enum Application: String, Sendable {
        case audio, voip, lowdelay

        var code: Int32 {
            switch self {
            case .audio: OPUS_APPLICATION_AUDIO
            case .voip: OPUS_APPLICATION_VOIP
            case .lowdelay: OPUS_APPLICATION_RESTRICTED_LOWDELAY
            }
        }
    }

    /// Sample rates libopus encodes from.
    static let supportedRates: Set<Int> = [8_000, 12_000, 16_000, 24_000, 48_000]

    let sampleRate: Int
    let channels: Int
    private let encoder: OpaquePointer
    private var output = [UInt8](repeating: 0, count: 4000)

    init(sampleRate: Int, channels: Int, application: Application, bitrate: Int, complexity: Int) throws(StreamKitError) {
        guard Self.supportedRates.contains(sampleRate) else {
            throw .codec("Opus encodes 8, 12, 16, 24 or 48 kHz audio, not \(sampleRate) Hz (put an audio::resampler before the encoder)")
        }
        guard channels == 1 || channels == 2 else {
            throw .codec("audio::opus::encoder encodes 1 or 2 channels, not \(channels)")
        }
        var error: Int32 = 0
        guard let encoder = opus_encoder_create(Int32(sampleRate), Int32(channels), application.code, &error), error == OPUS_OK else {
            throw .codec("opus_encoder_create failed: \(LibOpusDecoder.message(error))")
        }
        self.encoder = encoder
        self.sampleRate = sampleRate
        self.channels = channels
        var status = skit_opus_encoder_set_bitrate(encoder, Int32(bitrate))
        if status == OPUS_OK { status = skit_opus_encoder_set_complexity(encoder, Int32(complexity)) }
        guard status == OPUS_OK else {
            opus_encoder_destroy(encoder)
            throw .codec("configuring the Opus encoder failed: \(LibOpusDecoder.message(status))")
        }
    }

    deinit { opus_encoder_destroy(encoder) }

    /// The encoder's delay in samples at 48 kHz: the pre-skip a decoder must drop.
    var preSkip: Int {
        var lookahead: Int32 = 0
        guard skit_opus_encoder_get_lookahead(encoder, &lookahead) == OPUS_OK else { return 0 }
        return Int(lookahead) * 48_000 / sampleRate
    }

    /// Encodes exactly one frame (`frameSamples × channels` interleaved floats) into a packet.
    func encode(_ samples: UnsafeBufferPointer<Float>, frameSamples: Int) throws(StreamKitError) -> [UInt8] {
        let capacity = Int32(output.count)
        guard let input = samples.baseAddress, samples.count >= frameSamples * channels else {
            throw .codec("opus_encode_float: a frame of \(frameSamples) samples needs \(frameSamples * channels) values")
        }
        let count = output.withUnsafeMutableBufferPointer { out -> Int32 in
            guard let out = out.baseAddress else { return OPUS_BAD_ARG }
            return opus_encode_float(encoder, input, Int32(frameSamples), out, capacity)
        }
        guard count >= 0 else { throw .codec("opus_encode_float: \(LibOpusDecoder.message(count))") }
        return Array(output[0..<Int(count)])
    }
}
