import StreamKitCore

/// What a pacer's wait for input ended with.
enum PacerInput {
    /// A packet arrived.
    case packet(Packet)
    /// The wait timed out (a release is due) or a parameter update was applied: look at the queue again.
    case tick
    /// Every input has ended: drain the queue at pace.
    case ended
    /// The node must stop now.
    case stop
}

extension PacingSchedule {
    /// Waits for the next input or for the next release, whichever comes first, for a pacer
    /// holding `queued` packets.
    ///
    /// - Parameters:
    ///   - ticking: whether a release is pending (something queued, or silence to make); when
    ///     it is not, the wait has no timeout.
    ///   - queued: packets the pacer holds now. At `bufferSize` it stops taking from `in`, so the
    ///     producer waits (backpressure); parameter updates still get through and are applied here.
    mutating func awaitInput(
        context: NodeContext, clock: ContinuousClock, ticking: Bool, queued: Int, bufferSize: Int, kind: String
    ) async -> PacerInput {
        let timeout = ticking ? timeUntilDue(at: clock.now) : nil
        let skipping: Set<String> = queued >= bufferSize ? ["in"] : []
        guard let input = await context.next(skipping: skipping, timeout: timeout) else {
            // Nil is either a stop request (leave at once) or the end of every input (drain).
            if context.isShutdownRequested || Task.isCancelled { return .stop }
            return .ended
        }
        switch input {
        case .packet(_, let packet):
            return .packet(packet)
        case .paramsUpdate(let update):
            apply(update, kind: kind)
            return .tick
        case .inputClosed:
            return .ended
        case .timeout:
            return .tick
        }
    }

    /// One step of draining after the input ended: sleeps towards the head's release time (in
    /// short slices, applying parameter updates between them). Returns false when the pacer is
    /// done: the queue is empty or the node must stop.
    mutating func drainStep(queue: PacedQueue, clock: ContinuousClock, context: NodeContext, kind: String) async -> Bool {
        if queue.isEmpty { return false }
        guard await Self.sleepTowardsDue(self, clock: clock, context: context) else { return false }
        while let update = context.pollParamsUpdate() { apply(update, kind: kind) }
        return true
    }
}
