import StreamKitCore

/// `core::pacer`: releases packets in real time, each one its duration (divided by `speed`)
/// after the previous one.
///
/// Durations come from the packets: audio uses `metadata.durationUs`, else the length implied
/// by its samples; binary uses `metadata.durationUs`, else 0; every other kind counts as 0.
/// Packets with no duration go out as soon as everything queued before them has gone out, so
/// they never overtake queued media (the original let them jump the queue).
///
/// Release times follow an absolute schedule (see `PacingSchedule`), so late wake-ups do not
/// add up to drift over a long stream, and a pacer that fell behind catches up at once.
/// At most `buffer_size` packets wait in the node; while it is full the input is not read,
/// which holds the producer back. At end of input the queue is drained at pace, then the node ends.
struct PacerNode: DefinedNode {
    static let kind = "core::pacer"

    var speed: Double
    var bufferSize: Int
    var initialBurstPackets: Int

    static let definition = NodeDefinition(
        kind: kind,
        description: "Releases packets in real time according to their duration (divided by speed). "
            + "Tunable: speed. Holds at most buffer_size packets, then stops reading its input (backpressure).",
        categories: ["core", "timing"],
        paramSchema: Schema.object([
            ("speed", Schema.number("Playback speed: 1.0 is real time, 2.0 twice as fast, 0.5 half speed. Must be greater than 0.",
                                    default: 1.0, exclusiveMinimum: 0)),
            ("buffer_size", Schema.integer("Packets held waiting for their release time before the input stops being read.",
                                           default: 16, minimum: 1)),
            ("initial_burst_packets", Schema.integer("Packets sent at once when the stream starts, to fill a downstream buffer (5–25 suits network streaming).",
                                                     default: 0, minimum: 0)),
        ]),
        inputs: [InputPin(name: "in", accepts: [.any])],
        outputs: [OutputPin(name: "out", produces: .passthrough)],
        factory: { params in try PacerNode(params: params) }
    )

    /// Reads parameters (defaults already filled by the registry; they are filled here too so
    /// the node can be made directly). Throws a configuration error for values the schema forbids.
    init(params: JSONValue) throws {
        speed = try PacingSchedule.validSpeed(params["speed"], kind: Self.kind) ?? 1.0
        bufferSize = try PacingSchedule.integer(params, "buffer_size", default: 16, minimum: 1, kind: Self.kind)
        initialBurstPackets = try PacingSchedule.integer(params, "initial_burst_packets", default: 0, minimum: 0, kind: Self.kind)
    }

    /// How long `packet` lasts in stream time, in microseconds (0: not paced).
    static func durationUs(of packet: Packet) -> UInt64 {
        switch packet {
        case .audio(let frame): frame.durationUs ?? 0
        case .binary(let binary): binary.metadata?.durationUs ?? 0
        case .text, .transcription, .custom: 0
        }
    }

    func run(context: NodeContext) async throws {
        context.setState(.running)
        let clock = ContinuousClock()
        var schedule = PacingSchedule(speed: speed)
        var queue = PacedQueue()
        var burstLeft = initialBurstPackets
        var inputOpen = true

        while true {
            // Send everything whose time has come: zero-duration packets at the head, burst
            // packets, and media that is due (several in a row when catching up).
            while let head = queue.first {
                if head.durationUs > 0 {
                    let now = clock.now
                    if burstLeft > 0 {
                        burstLeft -= 1
                        schedule.releasedOffSchedule(durationUs: head.durationUs, at: now)
                    } else if schedule.isDue(at: now) {
                        schedule.released(durationUs: head.durationUs, at: now)
                    } else {
                        break
                    }
                }
                queue.removeFirst()
                try await context.send(head.packet)
            }

            if !inputOpen {
                // Draining after end of input: nothing more can arrive, so sleep until the head is due.
                guard await schedule.drainStep(queue: queue, clock: clock, context: context, kind: Self.kind) else { return }
                continue
            }

            // Wait for input or for the head's release time, whichever comes first.
            let input = await schedule.awaitInput(
                context: context, clock: clock, ticking: !queue.isEmpty, queued: queue.count, bufferSize: bufferSize, kind: Self.kind
            )
            switch input {
            case .packet(let packet):
                let durationUs = Self.durationUs(of: packet)
                if queue.isEmpty && durationUs > 0 { schedule.resumeAfterIdle(at: clock.now) }
                queue.append(packet, durationUs: durationUs)
            case .tick:
                continue
            case .ended:
                inputOpen = false
            case .stop:
                return
            }
        }
    }
}
