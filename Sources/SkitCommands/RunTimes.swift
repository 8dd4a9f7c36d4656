import Foundation

/// Wall and CPU times of benchmark runs, for their medians.
struct RunTimes {
    private var walls: [Double] = []
    private var cpus: [Double] = []

    mutating func add(_ run: (wall: Double, cpu: Double)) {
        walls.append(run.wall)
        cpus.append(run.cpu)
    }

    /// The medians of the runs added (0 with none).
    var median: (wall: Double, cpu: Double) {
        guard !walls.isEmpty else { return (0, 0) }
        return (walls.median, cpus.median)
    }

    /// Runs `body` `runs` times and returns the median of what it measured.
    static func median(of runs: Int, _ body: () async throws -> Double) async rethrows -> Double {
        var results: [Double] = []
        for _ in 0..<runs { results.append(try await body()) }
        return results.median
    }

    /// Runs `body` `calls` times on the calling thread; wall and thread-CPU seconds per call.
    static func time(_ calls: Int, _ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
        let start = ContinuousClock.now
        let cpuStart = threadCPUSeconds()
        for _ in 0..<calls { try body() }
        let cpu = threadCPUSeconds() - cpuStart
        let wall = (ContinuousClock.now - start).seconds
        return (wall / Double(max(1, calls)), cpu / Double(max(1, calls)))
    }

    /// CPU time of the calling thread so far, in seconds.
    private static func threadCPUSeconds() -> Double {
        var time = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) == 0 else { return 0 }
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

extension Duration {
    /// The duration in seconds, as a `Double` for printing.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension Array where Element == Double {
    /// The middle value once sorted (the upper one of the two middles for an even count); 0 when empty.
    var median: Double {
        isEmpty ? 0 : sorted()[count / 2]
    }
}
