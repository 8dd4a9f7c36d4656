import Synchronization

/// A value shared between tasks behind a lock, as a class so closures can capture it
/// (a `Mutex` itself cannot be copied into an escaping closure).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    /// Runs `body` with exclusive access to the value.
    func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
        mutex.withLock { value in body(&value) }
    }

    /// The current value.
    var value: Value { withLock { $0 } }
}
