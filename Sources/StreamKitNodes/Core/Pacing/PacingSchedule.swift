import StreamKitCore

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

    /// Reads an integer parameter of a pacer: `fallback` when absent or null; throws a
    /// configuration error below `minimum` or for anything but a whole number.
    static func integer(_ params: JSONValue, _ key: String, default fallback: Int, minimum: Int, kind: String) throws -> Int {
        guard let value = params[key], !value.isNull else { return fallback }
        guard let integer = value.intValue, integer >= minimum else {
            throw StreamKitError.configuration("\(kind): \(key) must be an integer ≥ \(minimum), got \(value.jsonString())")
        }
        return integer
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
