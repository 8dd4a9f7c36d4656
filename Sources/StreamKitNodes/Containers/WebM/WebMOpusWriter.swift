/// Lays Opus packets out as a WebM file with one audio track, in Swift.
///
/// Live mode writes the Segment and each Cluster with unknown size, so every byte can go out
/// as soon as it is made and nothing is ever patched (what browsers' MediaRecorder does).
/// File mode keeps the blocks and writes everything at the end with real sizes and a Duration.
/// A packet shorter than it decodes to (the trimmed last one) goes in a BlockGroup with
/// DiscardPadding, so players drop the encoder's padding.
struct WebMOpusWriter {
    enum Mode: String, Sendable { case live, file }

    static let app = "StreamKit for Swift"
    /// A new cluster starts after this long (block timestamps are 16-bit offsets from it).
    static let clusterDurationMs: Int64 = 5_000

    let mode: Mode
    let head: OpusHead
    private var clusterStartMs: Int64?
    private var position48: Int64 = 0
    private var endPosition48: Int64 = 0
    /// File mode: clusters written so far (each complete) and the open one's blocks.
    private var finishedClusters: [UInt8] = []
    private var openBlocks: [UInt8] = []

    init(mode: Mode, head: OpusHead) {
        self.mode = mode
        self.head = head
    }

    /// Live mode: the EBML header and the start of the Segment with Info and Tracks.
    /// (File mode writes everything in `finish`.)
    func header() -> [UInt8] {
        guard mode == .live else { return [] }
        return Self.ebmlHeader + EBML.openMaster(MatroskaID.segment) + info(durationMs: nil) + tracks()
    }

    /// Adds one packet; returns the bytes to send now (live mode).
    mutating func append(_ packet: [UInt8], samples: Int, keptSamples: Int) -> [UInt8] {
        let timestampMs = position48 / 48
        var out: [UInt8] = []
        if clusterStartMs == nil || timestampMs - (clusterStartMs ?? 0) >= Self.clusterDurationMs {
            out += closeCluster()
            clusterStartMs = timestampMs
            if mode == .live {
                out += EBML.openMaster(MatroskaID.cluster) + EBML.uint(MatroskaID.timestamp, UInt64(timestampMs))
            }
        }
        let relative = Int16(clamping: timestampMs - (clusterStartMs ?? 0))
        let blockHeader: [UInt8] = [0x81, UInt8(truncatingIfNeeded: UInt16(bitPattern: relative) >> 8), UInt8(truncatingIfNeeded: UInt16(bitPattern: relative))]
        let block: [UInt8]
        if keptSamples < samples {
            let discardNs = Int64(samples - keptSamples) * 1_000_000_000 / 48_000
            block = EBML.master(MatroskaID.blockGroup, [
                EBML.element(MatroskaID.block, blockHeader + [0x00] + packet),
                // DiscardPadding is a signed integer: a leading 0x80 bit would read as negative.
                EBML.int(MatroskaID.discardPadding, discardNs),
            ])
        } else {
            // Flags 0x80: keyframe (every Opus packet can be decoded on its own).
            block = EBML.element(MatroskaID.simpleBlock, blockHeader + [0x80] + packet)
        }
        endPosition48 = position48 + Int64(keptSamples)
        position48 += Int64(samples)
        if mode == .live {
            out += block
        } else {
            openBlocks += block
        }
        return out
    }

    /// The bytes that end the file (file mode: the whole file).
    mutating func finish() -> [UInt8] {
        guard mode == .file else { return [] }
        _ = closeCluster()
        let durationMs = Double(max(0, endPosition48 - Int64(head.preSkip))) / 48
        let body = info(durationMs: durationMs) + tracks() + finishedClusters
        return Self.ebmlHeader + EBML.element(MatroskaID.segment, body)
    }

    private mutating func closeCluster() -> [UInt8] {
        guard mode == .file, let start = clusterStartMs, !openBlocks.isEmpty else { return [] }
        finishedClusters += EBML.master(MatroskaID.cluster, [EBML.uint(MatroskaID.timestamp, UInt64(start)), openBlocks])
        openBlocks = []
        return []
    }

    private static let ebmlHeader = EBML.master(MatroskaID.ebml, [
        EBML.uint(MatroskaID.ebmlVersion, 1),
        EBML.uint(MatroskaID.ebmlReadVersion, 1),
        EBML.uint(MatroskaID.ebmlMaxIDLength, 4),
        EBML.uint(MatroskaID.ebmlMaxSizeLength, 8),
        EBML.string(MatroskaID.docType, "webm"),
        EBML.uint(MatroskaID.docTypeVersion, 4),
        EBML.uint(MatroskaID.docTypeReadVersion, 2),
    ])

    private func info(durationMs: Double?) -> [UInt8] {
        var children = [
            EBML.uint(MatroskaID.timestampScale, 1_000_000),
            EBML.string(MatroskaID.muxingApp, Self.app),
            EBML.string(MatroskaID.writingApp, Self.app),
        ]
        if let durationMs { children.append(EBML.float(MatroskaID.duration, durationMs)) }
        return EBML.master(MatroskaID.info, children)
    }

    private func tracks() -> [UInt8] {
        EBML.master(MatroskaID.tracks, [
            EBML.master(MatroskaID.trackEntry, [
                EBML.uint(MatroskaID.trackNumber, 1),
                EBML.uint(MatroskaID.trackUID, 1),
                EBML.uint(MatroskaID.trackType, 2),
                EBML.string(MatroskaID.codecID, "A_OPUS"),
                EBML.element(MatroskaID.codecPrivate, head.bytes),
                EBML.uint(MatroskaID.codecDelay, UInt64(head.preSkip) * 1_000_000_000 / 48_000),
                EBML.uint(MatroskaID.seekPreRoll, 80_000_000),
                EBML.master(MatroskaID.audio, [
                    EBML.float(MatroskaID.samplingFrequency, 48_000),
                    EBML.uint(MatroskaID.channels, UInt64(head.channels)),
                ]),
            ]),
        ])
    }
}
