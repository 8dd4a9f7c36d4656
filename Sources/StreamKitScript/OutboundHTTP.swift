import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// The one HTTP client of script `fetch()` calls and `transport::http::fetcher` nodes: redirects are
/// never followed (a 3xx comes back as it is, so no request leaves the allowlist through a redirect),
/// and responses are not decompressed (sizes are what came over the wire).
enum OutboundHTTP {
    /// Lives as long as the process (a client must be shut down before it is released).
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// At most this many script fetches in flight in the whole process (`SK_SCRIPT_FETCH_MAX_INFLIGHT`, default 16).
    static let fetchSlots = AsyncSlots(
        limit: ProcessInfo.processInfo.environment["SK_SCRIPT_FETCH_MAX_INFLIGHT"].flatMap { Int($0) }.map { max(1, $0) } ?? 16
    )

    /// Checks that `text` is an absolute http(s) URL with a host and no user name or password.
    static func checkURL(_ text: String) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https" else {
            return "'\(text)' is not an http or https URL"
        }
        guard let host = components.host, !host.isEmpty else { return "'\(text)' has no host" }
        guard components.user == nil, components.password == nil else { return "URLs with a user name or password are not allowed" }
        return nil
    }
}

/// A counting semaphore for async code; waiting is cancellable.
final class AsyncSlots: Sendable {
    private struct State {
        var available: Int
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID: UInt64 = 0
    }

    private let state: Mutex<State>
    let limit: Int

    init(limit: Int) {
        self.limit = limit
        state = Mutex(State(available: limit))
    }

    /// Takes a slot, waiting for one; throws `CancellationError` when the task is cancelled first.
    func acquire() async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextID &+= 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelled = Task.isCancelled
                let granted = state.withLock { state -> Bool? in
                    if state.available > 0 {
                        state.available -= 1
                        return true
                    }
                    if cancelled { return nil }
                    state.waiters.append((id, continuation))
                    return false
                }
                switch granted {
                case true?: continuation.resume()
                case nil: continuation.resume(throwing: CancellationError())
                case false?: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Gives a slot back (to the longest waiter, if any).
    func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst().continuation
        }
        waiter?.resume()
    }

    /// Slots in use now.
    var inUse: Int { state.withLock { limit - $0.available } }
}

/// Thrown when an operation passes its time limit.
struct TimeLimitExceeded: Error {}

/// Runs `operation`, cancelling it and throwing ``TimeLimitExceeded`` when it takes longer than `limit`.
func withTimeLimit<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimeLimitExceeded() }
        return value
    }
}
