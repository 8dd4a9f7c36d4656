import CFLAC
import StreamKitCore

/// libFLAC's stream decoder driven by pushed bytes.
///
/// libFLAC pulls its input through a read callback and cannot resume if that callback runs
/// dry in the middle of a frame. So it is only asked to decode a frame when at least one
/// frame's worth of bytes (the bound STREAMINFO implies) is waiting, or when the input has
/// ended. A stream that breaks that bound (lying or corrupt) fails with a clear message.
///
/// `@unchecked Sendable`: used by one node, one call at a time, on its serial blocking queue.
final class LibFLACDecoder: StreamingAudioDecoder, @unchecked Sendable {
    private var decoder: UnsafeMutablePointer<FLAC__StreamDecoder>?
    private var filter = FLACStreamFilter()
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var inputEnded = false
    private var ranDry = false
    private var frames: [AudioFrame] = []
    private var streamErrors: [String] = []
    private var initialized = false
    /// Samples per channel decoded so far, to check against STREAMINFO's total at the end.
    private var decodedSamples: UInt64 = 0

    init() throws(StreamKitError) {
        guard let decoder = FLAC__stream_decoder_new() else { throw .codec("FLAC__stream_decoder_new failed") }
        self.decoder = decoder
        FLAC__stream_decoder_set_md5_checking(decoder, 0)
    }

    deinit {
        if let decoder {
            FLAC__stream_decoder_finish(decoder)
            FLAC__stream_decoder_delete(decoder)
        }
    }

    private var available: Int { pending.count - pendingStart }

    func feed(_ bytes: [UInt8]) throws -> [AudioFrame] {
        let filtered = try filter.feed(bytes)
        if pendingStart > 0 && pendingStart >= pending.count / 2 {
            pending.removeFirst(pendingStart)
            pendingStart = 0
        }
        pending += filtered
        try decodeAvailable()
        return takeFrames()
    }

    func finish() throws -> [AudioFrame] {
        inputEnded = true
        guard filter.streamInfo != nil, filter.inAudio else {
            throw StreamKitError.invalidData("the FLAC stream is truncated: it ends inside its header")
        }
        try initializeIfNeeded()
        guard let decoder else { return [] }
        if FLAC__stream_decoder_process_until_end_of_stream(decoder) == 0 || !streamErrors.isEmpty {
            throw failure()
        }
        if let total = filter.streamInfo?.totalSamples, total > 0, decodedSamples < total {
            throw StreamKitError.invalidData("the FLAC stream is truncated: \(decodedSamples) of the \(total) samples STREAMINFO declares")
        }
        return takeFrames()
    }

    private func decodeAvailable() throws {
        guard let info = filter.streamInfo, filter.inAudio else { return }
        try initializeIfNeeded()
        guard let decoder else { return }
        let bound = info.frameSizeBound
        while available >= bound {
            let before = available
            guard FLAC__stream_decoder_process_single(decoder) != 0, streamErrors.isEmpty, !ranDry else { throw failure() }
            let state = FLAC__stream_decoder_get_state(decoder)
            if state == FLAC__STREAM_DECODER_END_OF_STREAM || state == FLAC__STREAM_DECODER_ABORTED { throw failure() }
            // libFLAC buffers what it reads; stop when a call took nothing new from us.
            if available == before { break }
        }
    }

    private func initializeIfNeeded() throws {
        guard !initialized, let decoder else { return }
        initialized = true
        let client = Unmanaged.passUnretained(self).toOpaque()
        let status = FLAC__stream_decoder_init_stream(
            decoder, Self.readCallback, nil, nil, nil, nil, Self.writeCallback, nil, Self.errorCallback, client
        )
        guard status == FLAC__STREAM_DECODER_INIT_STATUS_OK else {
            throw StreamKitError.codec("FLAC__stream_decoder_init_stream failed (status \(status.rawValue))")
        }
    }

    private func failure() -> StreamKitError {
        if ranDry {
            return .invalidData("the FLAC stream is corrupt or truncated (a frame is larger than its STREAMINFO allows, or data is missing)")
        }
        if !streamErrors.isEmpty {
            return .invalidData("the FLAC stream is corrupt: \(streamErrors.prefix(3).joined(separator: ", "))\(streamErrors.count > 3 ? " (\(streamErrors.count) errors)" : "")")
        }
        guard let decoder else { return .codec("FLAC decoder is gone") }
        let state = FLAC__stream_decoder_get_state(decoder)
        let name = FLAC__stream_decoder_get_resolved_state_string(decoder).map { String(cString: $0) } ?? "\(state.rawValue)"
        return .invalidData("the FLAC stream could not be decoded (\(name))")
    }

    private func takeFrames() -> [AudioFrame] {
        defer { frames = [] }
        return frames
    }

    // MARK: libFLAC callbacks

    private static let readCallback: FLAC__StreamDecoderReadCallback = { _, buffer, bytes, client in
        guard let client, let buffer, let bytes else { return FLAC__STREAM_DECODER_READ_STATUS_ABORT }
        let this = Unmanaged<LibFLACDecoder>.fromOpaque(client).takeUnretainedValue()
        let count = min(bytes.pointee, this.available)
        if count == 0 {
            bytes.pointee = 0
            if this.inputEnded { return FLAC__STREAM_DECODER_READ_STATUS_END_OF_STREAM }
            this.ranDry = true
            return FLAC__STREAM_DECODER_READ_STATUS_ABORT
        }
        this.pending.withUnsafeBufferPointer { source in
            if let base = source.baseAddress {
                buffer.update(from: base + this.pendingStart, count: count)
            }
        }
        this.pendingStart += count
        bytes.pointee = count
        return FLAC__STREAM_DECODER_READ_STATUS_CONTINUE
    }

    private static let writeCallback: FLAC__StreamDecoderWriteCallback = { _, frame, buffer, client in
        guard let client, let frame, let buffer else { return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT }
        let this = Unmanaged<LibFLACDecoder>.fromOpaque(client).takeUnretainedValue()
        let header = frame.pointee.header
        let channels = Int(header.channels)
        let count = Int(header.blocksize)
        let bits = Int(header.bits_per_sample)
        guard channels > 0, bits > 0, bits <= 32 else { return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT }
        let scale = 1 / Float(1 << UInt64(bits - 1))
        var samples = [Float](repeating: 0, count: count * channels)
        samples.withUnsafeMutableBufferPointer { out in
            for channel in 0..<channels {
                guard let source = buffer[channel] else { continue }
                for index in 0..<count { out[index * channels + channel] = Float(source[index]) * scale }
            }
        }
        this.frames.append(AudioFrame(sampleRate: Int(header.sample_rate), channels: channels, samples: samples))
        this.decodedSamples += UInt64(count)
        return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE
    }

    private static let errorCallback: FLAC__StreamDecoderErrorCallback = { _, status, client in
        guard let client else { return }
        let this = Unmanaged<LibFLACDecoder>.fromOpaque(client).takeUnretainedValue()
        let message: String
        switch status {
        case FLAC__STREAM_DECODER_ERROR_STATUS_LOST_SYNC: message = "lost sync"
        case FLAC__STREAM_DECODER_ERROR_STATUS_BAD_HEADER: message = "bad frame header"
        case FLAC__STREAM_DECODER_ERROR_STATUS_FRAME_CRC_MISMATCH: message = "frame CRC mismatch"
        default: message = "unparseable stream"
        }
        if this.streamErrors.count < 100 { this.streamErrors.append(message) }
    }
}
