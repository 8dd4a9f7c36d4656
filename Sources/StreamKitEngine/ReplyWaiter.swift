import StreamKitCore
import Synchronization

/// Waits for a node's one answer to a parameter update, with a deadline.
final class ReplyWaiter: Sendable {
    private let once = Once<Result<Void, StreamKitError>?>()

    func resolve(_ result: Result<Void, StreamKitError>) {
        once.resume(result)
    }

    /// The answer, or nil when none came within `timeout`.
    func wait(timeout: Duration) async -> Result<Void, StreamKitError>? {
        let once = self.once
        let timer = Task {
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { once.resume(nil) }
        }
        defer { timer.cancel() }
        return await once.value()
    }

    /// Runs `work`, giving up waiting after `timeout` (the work goes on; its result is then ignored).
    static func race<T: Sendable>(timeout: Duration, _ work: @escaping @Sendable () async -> T) async -> T? {
        let once = Once<T?>()
        let worker = Task { once.resume(await work()) }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { once.resume(nil) }
        }
        let result = await once.value()
        timer.cancel()
        _ = worker
        return result
    }
}

/// A value set once by whoever comes first, awaited by one reader.
final class Once<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var isSet = false
        var waiter: CheckedContinuation<Value, Never>?
    }
    private let state = Mutex(State())

    func resume(_ value: Value) {
        let waiter = state.withLock { state -> CheckedContinuation<Value, Never>? in
            guard !state.isSet else { return nil }
            state.isSet = true
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.value = value
            return nil
        }
        waiter?.resume(returning: value)
    }

    func value() async -> Value {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Value?? in
                if state.isSet, let value = state.value { return .some(value) }
                state.waiter = continuation
                return .none
            }
            if let ready, let value = ready { continuation.resume(returning: value) }
        }
    }
}
