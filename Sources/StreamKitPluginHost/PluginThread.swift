import CStreamKitPluginHost
import Foundation

/// A thread of its own for one plugin instance, usable as a task executor.
///
/// The node runs its whole loop with this executor as its preference, so plugin calls are plain
/// synchronous calls on this thread: they never occupy a thread of Swift's cooperative pool, the
/// instance always sees the same OS thread (thread-local state in plugins behaves), and a packet
/// that is already queued costs no thread hop at all. Once `finish()` has been called and the
/// queue is drained the thread ends; any job that still arrives goes to the global executor.
///
/// What a kind of plugin needs on its thread before the first call (the native crash guard's
/// signal handlers and alternate stack) it passes as `prepare`; the thread itself knows no kind.
public final class PluginThread: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs`, `finishing` and `running` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var next = 0
    private var finishing = false
    private var running = true
    /// The OS thread, once it has started (read under `condition`).
    private var osThread: pthread_t?

    /// Plugins such as speech models recurse deeply; give them the usual main-thread stack.
    static let stackSize = 8 << 20

    private let name: String
    private let prepare: @Sendable () -> Void

    /// Starts the thread. `prepare` runs on it first, before any job.
    public init(name: String, prepare: @escaping @Sendable () -> Void = {}) {
        self.name = String(name.prefix(15))  // Linux thread names are at most 15 bytes
        self.prepare = prepare
        let thread = Thread { [self] in loop() }
        thread.stackSize = Self.stackSize
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        guard running else {
            condition.unlock()
            globalConcurrentExecutor.enqueue(job)
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Ends the thread once the jobs queued so far have run.
    public func finish() {
        condition.lock()
        finishing = true
        condition.signal()
        condition.unlock()
    }

    /// Whether the caller runs on this thread.
    public var isCurrent: Bool {
        condition.lock()
        defer { condition.unlock() }
        guard let osThread else { return false }
        return pthread_equal(osThread, pthread_self()) != 0
    }

    /// Moves the current task onto this thread. A task executor preference only applies when the
    /// task is next enqueued, so code that never suspends would otherwise stay where it started.
    public func hop() async -> Bool {
        for _ in 0..<8 {
            if isCurrent { return true }
            await Task.yield()
        }
        return isCurrent
    }

    private func loop() {
        prepare()
        // Named here: Foundation does not name threads on Linux, and a new thread would show its creator's name.
        skh_name_thread(name)
        condition.lock()
        osThread = pthread_self()
        condition.unlock()
        while true {
            condition.lock()
            while next == jobs.count && !finishing { condition.wait() }
            if next == jobs.count {
                running = false
                condition.unlock()
                return
            }
            let job = jobs[next]
            next += 1
            if next == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                next = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
