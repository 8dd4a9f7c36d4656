import CMpg123
import StreamKitCore

/// libmpg123 in feed mode: bytes pushed in, float frames out, at the stream's own rate and
/// channels. Gapless decoding (on by default) removes the encoder delay and padding that a
/// LAME/Xing header declares, as ffmpeg does.
///
/// `@unchecked Sendable`: used by one node, one call at a time, on its serial blocking queue.
final class LibMpg123Decoder: StreamingAudioDecoder, @unchecked Sendable {
    /// libmpg123 needs one global initialisation (a no-op on recent versions, required on old ones).
    private static let initialized: Bool = mpg123_init() == MPG123_OK.rawValue

    private let handle: OpaquePointer
    private var format: (rate: Int, channels: Int)?
    private var output = [UInt8](repeating: 0, count: 1 << 16)
    private var fedBytes = 0
    /// Samples per channel decoded so far, to check against the length the header declares.
    private var decodedSamples = 0

    init() throws(StreamKitError) {
        _ = Self.initialized
        var error: Int32 = 0
        guard let handle = mpg123_new(nil, &error) else {
            throw .codec("mpg123_new failed: \(String(cString: mpg123_plain_strerror(error)))")
        }
        self.handle = handle
        _ = skit_mpg123_add_flags(handle, Int(MPG123_QUIET.rawValue))
        // Float output at every rate libmpg123 knows, mono or stereo: the file's own format.
        mpg123_format_none(handle)
        var rates: UnsafePointer<Int>?
        var count = 0
        mpg123_rates(&rates, &count)
        if let rates {
            for index in 0..<count {
                mpg123_format(handle, rates[index], Int32(MPG123_MONO.rawValue | MPG123_STEREO.rawValue), Int32(MPG123_ENC_FLOAT_32.rawValue))
            }
        }
        guard mpg123_open_feed(handle) == MPG123_OK.rawValue else {
            mpg123_delete(handle)
            throw .codec("mpg123_open_feed failed")
        }
    }

    deinit {
        mpg123_close(handle)
        mpg123_delete(handle)
    }

    func feed(_ bytes: [UInt8]) throws -> [AudioFrame] {
        fedBytes += bytes.count
        let status = bytes.withUnsafeBufferPointer { mpg123_feed(handle, $0.baseAddress, $0.count) }
        guard status == MPG123_OK.rawValue else { throw failure(status) }
        return try drain()
    }

    func finish() throws -> [AudioFrame] {
        let frames = try drain()
        guard format != nil else {
            throw StreamKitError.invalidData("not an MP3 stream: no MPEG audio frame found in \(fedBytes) bytes")
        }
        // A Xing/Info (LAME) header states the length; a stream that ends short was cut.
        let declared = skit_mpg123_length(handle)
        if declared > 0 && Int64(decodedSamples) < declared {
            throw StreamKitError.invalidData("the MP3 stream is truncated: \(decodedSamples) of the \(declared) samples its header declares")
        }
        return frames
    }

    /// Decodes everything the fed bytes allow.
    private func drain() throws -> [AudioFrame] {
        var frames: [AudioFrame] = []
        while true {
            var done = 0
            let capacity = output.count
            let status = output.withUnsafeMutableBufferPointer { mpg123_read(handle, $0.baseAddress, capacity, &done) }
            if done > 0, let format {
                let floats = done / MemoryLayout<Float>.size
                let usable = floats - floats % format.channels
                let samples = output.withUnsafeBytes { raw in
                    Array(raw.bindMemory(to: Float.self).prefix(usable))
                }
                frames.append(AudioFrame(sampleRate: format.rate, channels: format.channels, samples: samples))
                decodedSamples += usable / format.channels
            }
            switch status {
            case MPG123_OK.rawValue:
                continue
            case MPG123_NEW_FORMAT.rawValue:
                var rate = 0
                var channels: Int32 = 0
                var encoding: Int32 = 0
                guard mpg123_getformat(handle, &rate, &channels, &encoding) == MPG123_OK.rawValue, rate > 0, channels > 0 else {
                    throw StreamKitError.invalidData("the MP3 stream has an unreadable format")
                }
                if let format, format.rate != rate || format.channels != Int(channels) {
                    throw StreamKitError.invalidData("the MP3 stream changes format mid-stream (\(format.rate) Hz \(format.channels) ch → \(rate) Hz \(channels) ch)")
                }
                format = (rate, Int(channels))
            case MPG123_NEED_MORE.rawValue, MPG123_DONE.rawValue:
                return frames
            default:
                throw failure(status)
            }
        }
    }

    private func failure(_ status: Int32) -> StreamKitError {
        let message = String(cString: mpg123_strerror(handle))
        return .invalidData("the MP3 stream could not be decoded: \(message) (\(status))")
    }
}
