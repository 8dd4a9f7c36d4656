import Synchronization
import StreamKitCore

/// How one call of `process(packet)` ended.
enum CallOutcome: Sendable {
    /// The script returned (or its promise resolved to) this.
    case result(ScriptResult)
    /// It threw, was rejected, timed out or went over its memory limit: the packet passes through.
    case failed(String)
}

/// A `process` call whose promise has not settled yet. The runtime's queue settles it; the node's
/// task waits for it. The first outcome wins: a result that arrives after the deadline is ignored.
final class PendingCall: Sendable {
    let token: UInt64
    let original: Packet
    /// When `process` was called (the packet's time budget starts here).
    let started = ContinuousClock.now

    private enum State {
        case waiting(CheckedContinuation<CallOutcome, Never>?)
        case done(CallOutcome)
    }

    private let state = Mutex<State>(.waiting(nil))

    init(token: UInt64, original: Packet) {
        self.token = token
        self.original = original
    }

    /// Records the outcome (only the first one counts) and wakes the waiter.
    func complete(_ outcome: CallOutcome) {
        let waiter = state.withLock { state -> CheckedContinuation<CallOutcome, Never>? in
            guard case .waiting(let continuation) = state else { return nil }
            state = .done(outcome)
            return continuation
        }
        waiter?.resume(returning: outcome)
    }

    /// Whether an outcome is known.
    var isDone: Bool {
        state.withLock { if case .done = $0 { true } else { false } }
    }

    /// Waits for the outcome, or until `deadline`, when the call fails with `timeoutMessage`.
    func wait(until deadline: ContinuousClock.Instant, timeoutMessage: String) async -> CallOutcome {
        let timer = Task { [self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            complete(.failed(timeoutMessage))
        }
        defer { timer.cancel() }
        // A node that is told to stop does not wait out the deadline.
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> CallOutcome? in
                    switch state {
                    case .done(let outcome): return outcome
                    case .waiting:
                        state = .waiting(continuation)
                        return nil
                    }
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            complete(.failed("the node was stopped while process()'s promise was pending"))
        }
    }
}
