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
struct PacerNode: Node {
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
        bufferSize = try Self.integer(params, "buffer_size", default: 16, minimum: 1)
        initialBurstPackets = try Self.integer(params, "initial_burst_packets", default: 0, minimum: 0)
    }

    var inputPins: [InputPin] { Self.definition.inputs }
    var outputPins: [OutputPin] { Self.definition.outputs }

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
                if queue.isEmpty { return }
                guard await PacingSchedule.sleepTowardsDue(schedule, clock: clock, context: context) else { return }
                while let update = context.pollParamsUpdate() { schedule.apply(update, kind: Self.kind) }
                continue
            }

            // Wait for input or for the head's release time, whichever comes first. A full
            // queue stops taking from `in` so the producer waits (backpressure); parameter
            // updates still get through.
            let timeout = queue.isEmpty ? nil : schedule.timeUntilDue(at: clock.now)
            let skipping: Set<String> = queue.count >= bufferSize ? ["in"] : []
            guard let input = await context.next(skipping: skipping, timeout: timeout) else {
                // Nil is either a stop request (leave at once) or the end of every input (drain).
                if context.isShutdownRequested || Task.isCancelled { return }
                inputOpen = false
                continue
            }
            switch input {
            case .packet(_, let packet):
                let durationUs = Self.durationUs(of: packet)
                if queue.isEmpty && durationUs > 0 { schedule.resumeAfterIdle(at: clock.now) }
                queue.append(packet, durationUs: durationUs)
            case .paramsUpdate(let update):
                schedule.apply(update, kind: Self.kind)
            case .inputClosed:
                inputOpen = false
            case .timeout:
                continue
            }
        }
    }

    private static func integer(_ params: JSONValue, _ key: String, default fallback: Int, minimum: Int) throws -> Int {
        guard let value = params[key], !value.isNull else { return fallback }
        guard let integer = value.intValue, integer >= minimum else {
            throw StreamKitError.configuration("\(kind): \(key) must be an integer ≥ \(minimum), got \(value.jsonString())")
        }
        return integer
    }
}

// MARK: - Shared by the pacers

/// The release schedule of a pacer: when the next packet with a duration may go out.
///
/// The schedule is absolute: the packet after one released at its due time `t` is due at
/// `t + duration / speed`, whatever time it actually is now. Computing each release from the
/// previous *due* time rather than from the moment the node woke up is what keeps a long stream
/// from drifting by the accumulated wake-up latency; and when the node fell behind (a busy
/// machine, a slow consumer) the packets whose times have passed are simply all due at once,
/// so it catches up without sleeping.
///
/// Speed is applied when the next due time is computed, so a change of speed takes effect
/// on the packet being waited for, not one packet later.
struct PacingSchedule {
    /// Longest wait one packet may cause, so absurd metadata cannot overflow `Duration` or stall
    /// the node for days.
    static let maximumPacketWait = Duration.seconds(3600)

    /// Playback speed (> 0).
    var speed: Double
    /// Due time of the last packet released with a duration; nil when nothing is scheduled yet.
    private var lastDue: ContinuousClock.Instant?
    /// Duration of that packet in stream time.
    private var lastDurationUs: UInt64 = 0

    init(speed: Double) {
        self.speed = speed
    }

    /// `durationUs` of stream time as wall time at the current speed.
    func wallTime(forUs durationUs: UInt64) -> Duration {
        // Exact integer arithmetic at normal speed; a rounding error of under a nanosecond per
        // packet otherwise (negligible even over hours).
        if speed == 1, durationUs <= 3_600_000_000 { return .microseconds(Int64(durationUs)) }
        let seconds = Double(durationUs) / 1_000_000 / speed
        guard seconds.isFinite, seconds < 3600 else { return Self.maximumPacketWait }
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    /// When the next paced packet may go out; nil means right away (nothing scheduled yet).
    var nextDue: ContinuousClock.Instant? {
        lastDue.map { $0 + wallTime(forUs: lastDurationUs) }
    }

    /// Whether the next paced packet may go out at `now`.
    func isDue(at now: ContinuousClock.Instant) -> Bool {
        guard let due = nextDue else { return true }
        return due <= now
    }

    /// How long until the next paced packet is due (zero when it already is).
    func timeUntilDue(at now: ContinuousClock.Instant) -> Duration {
        guard let due = nextDue, due > now else { return .zero }
        return now.duration(to: due)
    }

    /// A packet of `durationUs` went out at its due time; the next one is due that much later.
    mutating func released(durationUs: UInt64, at now: ContinuousClock.Instant) {
        // The due time, not `now`: a late wake-up must not push back every later packet.
        lastDue = nextDue ?? now
        lastDurationUs = durationUs
    }

    /// A packet went out ahead of the schedule (the initial burst): the schedule restarts from now,
    /// so the next packet follows one duration after the burst.
    mutating func releasedOffSchedule(durationUs: UInt64, at now: ContinuousClock.Instant) {
        lastDue = now
        lastDurationUs = durationUs
    }

    /// Media arrived while nothing was queued. If its slot has already passed, the input (not
    /// the pacer) was late: restart the schedule from now instead of "catching up" the gap,
    /// which would burst out whatever arrives next.
    mutating func resumeAfterIdle(at now: ContinuousClock.Instant) {
        if let due = nextDue, due < now { restart(at: now) }
    }

    /// Makes the next paced packet due at `now`.
    mutating func restart(at now: ContinuousClock.Instant) {
        lastDue = now
        lastDurationUs = 0
    }

    /// Applies a live parameter update: only `speed` can change while running; other fields
    /// are ignored (the engine may send the whole parameter object). A bad speed is refused.
    mutating func apply(_ update: ParamsUpdate, kind: String) {
        do {
            if let speed = try Self.validSpeed(update.params["speed"], kind: kind) { self.speed = speed }
            update.accept()
        } catch {
            update.reject("\(error)")
        }
    }

    /// Reads a speed parameter: nil when absent or null, the value when it is a finite number
    /// above 0; throws a configuration error otherwise.
    static func validSpeed(_ value: JSONValue?, kind: String) throws -> Double? {
        guard let value, !value.isNull else { return nil }
        guard let speed = value.doubleValue, speed.isFinite, speed > 0 else {
            throw StreamKitError.configuration("\(kind): speed must be a number greater than 0, got \(value.jsonString())")
        }
        return speed
    }

    /// Sleeps towards the next due time once the input has ended, in short slices so that a
    /// stop request or a live speed change is noticed promptly (there is no `next()` to wake
    /// the node then; the caller polls for parameter updates after each slice).
    /// Returns false when the node must stop.
    static func sleepTowardsDue(_ schedule: PacingSchedule, clock: ContinuousClock, context: NodeContext) async -> Bool {
        let wait = min(schedule.timeUntilDue(at: clock.now), .milliseconds(50))
        if wait > .zero {
            do { try await Task.sleep(for: wait, clock: clock) } catch { return false }
        }
        return !(context.isShutdownRequested || Task.isCancelled)
    }
}

/// The packets a pacer holds, oldest first, each with its duration in stream time.
///
/// An array with a moving head, so taking the oldest is O(1) however large `buffer_size` is.
struct PacedQueue {
    struct Entry {
        var packet: Packet
        var durationUs: UInt64
    }

    /// Optional so a released packet's memory is freed at once, not at the next compaction.
    private var storage: [Entry?] = []
    private var head = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { head == storage.count }
    var first: Entry? { head < storage.count ? storage[head] : nil }

    mutating func append(_ packet: Packet, durationUs: UInt64) {
        storage.append(Entry(packet: packet, durationUs: durationUs))
    }

    mutating func removeFirst() {
        guard head < storage.count else { return }
        storage[head] = nil
        head += 1
        // Reclaim the consumed prefix now and then so the array does not grow forever.
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64, head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
    }
}
