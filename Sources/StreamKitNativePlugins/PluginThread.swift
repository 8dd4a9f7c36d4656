import CStreamKitPluginGuard
import Foundation

/// A thread of its own for one plugin instance, usable as a task executor.
///
/// The node runs its whole loop with this executor as its preference, so plugin calls are plain
/// synchronous calls on this thread: they never occupy a thread of Swift's cooperative pool, the
/// instance always sees the same OS thread (thread-local state in plugins behaves), and a packet
/// that is already queued costs no thread hop at all. Once `finish()` has been called and the
/// queue is drained the thread ends; any job that still arrives goes to the global executor.
final class PluginThread: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs`, `finishing` and `running` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var next = 0
    private var finishing = false
    private var running = true

    /// Plugins such as speech models recurse deeply; give them the usual main-thread stack.
    static let stackSize = 8 << 20

    init(name: String) {
        let thread = Thread { [self] in loop() }
        thread.name = String(name.prefix(15))  // Linux thread names are at most 15 bytes
        thread.stackSize = Self.stackSize
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
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
    func finish() {
        condition.lock()
        finishing = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        skg_install()
        skg_prepare_thread()
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
