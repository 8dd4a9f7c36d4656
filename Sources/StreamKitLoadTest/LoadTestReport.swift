import Foundation
import StreamKitClient
import StreamKitCore
import Synchronization

/// Latency percentiles of the successful operations of one kind, in seconds.
public struct LatencySummary: Sendable, Equatable {
    public var count: Int
    public var min: Double
    public var mean: Double
    public var p50: Double
    public var p95: Double
    public var p99: Double
    public var max: Double

    /// Nearest-rank percentiles of `samples`; nil when there are none.
    public init?(samples: [Double]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        func percentile(_ p: Double) -> Double {
            let rank = Int((p * Double(sorted.count)).rounded(.up))
            return sorted[Swift.min(sorted.count, Swift.max(1, rank)) - 1]
        }
        count = sorted.count
        min = sorted[0]
        max = sorted[sorted.count - 1]
        mean = sorted.reduce(0, +) / Double(sorted.count)
        p50 = percentile(0.50)
        p95 = percentile(0.95)
        p99 = percentile(0.99)
    }
}

/// The outcome of one kind of operation (`oneshot`, `session_create`, `tune`, `session_destroy`).
public struct OperationReport: Sendable {
    public var name: String
    /// Operations started.
    public var attempts: Int
    public var successes: Int
    /// Failures by kind (``StreamKitClientError/kind``) with one example message each, most frequent first.
    public var errors: [(kind: String, count: Int, example: String)]
    /// Payload bytes received by successful operations.
    public var bytes: Int64
    /// Wall time of the phase the operation belongs to.
    public var elapsedSeconds: Double
    public var latency: LatencySummary?

    public var errorCount: Int { errors.reduce(0) { $0 + $1.count } }
    /// Successful operations per second of wall time.
    public var throughput: Double { elapsedSeconds > 0 ? Double(successes) / elapsedSeconds : 0 }

    public var json: JSONValue {
        var object: JSONObject = [
            "name": .string(name), "attempts": .number(Double(attempts)), "successes": .number(Double(successes)),
            "errors": .number(Double(errorCount)), "throughput_per_sec": .number(throughput),
            "elapsed_secs": .number(elapsedSeconds), "bytes": .number(Double(bytes)),
        ]
        object["errors_by_kind"] = .object(JSONObject(errors.map { ($0.kind, .object(["count": .number(Double($0.count)), "example": .string($0.example)])) }))
        if let latency {
            object["latency_ms"] = [
                "min": .number(latency.min * 1000), "mean": .number(latency.mean * 1000), "p50": .number(latency.p50 * 1000),
                "p95": .number(latency.p95 * 1000), "p99": .number(latency.p99 * 1000), "max": .number(latency.max * 1000),
            ]
        }
        return .object(object)
    }
}

/// Everything a load test measured.
public struct LoadTestReport: Sendable {
    public var server: String
    public var operations: [OperationReport]
    public var elapsedSeconds: Double
    /// Remarks about the run (phases cut short, sessions not created, …).
    public var notes: [String]
    /// Audio streamed through the sessions' media sockets, when the test did that.
    public var media: MediaLoadReport?

    /// The report of operation `name`.
    public func operation(_ name: String) -> OperationReport? { operations.first { $0.name == name } }

    /// Errors over all operations.
    public var totalErrors: Int { operations.reduce(0) { $0 + $1.errorCount } + (media?.errorCount ?? 0) }

    public var json: JSONValue {
        var object: JSONObject = [
            "server": .string(server), "elapsed_secs": .number(elapsedSeconds),
            "operations": .array(operations.map(\.json)), "notes": .array(notes.map { .string($0) }),
        ]
        if let media { object["media"] = media.json }
        return .object(object)
    }

    /// A plain-text table.
    public var text: String {
        var lines = ["Load test against \(server): \(String(format: "%.1f", elapsedSeconds)) s"]
        let header = ["operation", "ok", "errors", "rate/s", "p50", "p95", "p99", "max"]
        var rows = [header]
        for operation in operations {
            let latency = operation.latency
            rows.append([
                operation.name, String(operation.successes), String(operation.errorCount),
                String(format: "%.1f", operation.throughput),
                latency.map { Self.ms($0.p50) } ?? "-", latency.map { Self.ms($0.p95) } ?? "-",
                latency.map { Self.ms($0.p99) } ?? "-", latency.map { Self.ms($0.max) } ?? "-",
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            lines.append(row.enumerated().map { column, cell in
                column == 0 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  "))
        }
        for operation in operations where operation.bytes > 0 {
            let rate = operation.elapsedSeconds > 0 ? Double(operation.bytes) / operation.elapsedSeconds : 0
            lines.append("\(operation.name): \(operation.bytes) bytes received (\(String(format: "%.2f", rate / 1_048_576)) MiB/s)")
        }
        for operation in operations {
            for error in operation.errors {
                lines.append("\(operation.name) error \(error.kind) ×\(error.count): \(error.example)")
            }
        }
        if let media { lines += media.lines }
        lines += notes.map { "note: \($0)" }
        return lines.joined(separator: "\n")
    }

    static func ms(_ seconds: Double) -> String {
        seconds < 0.01 ? String(format: "%.2fms", seconds * 1000) : String(format: "%.1fms", seconds * 1000)
    }
}

/// Collects the outcomes of one kind of operation from many tasks.
final class OperationRecorder: Sendable {
    private struct State {
        var attempts = 0
        var samples: [Double] = []
        var bytes: Int64 = 0
        var errors: [String: (count: Int, example: String)] = [:]
    }

    let name: String
    private let state = Mutex(State())

    init(name: String) { self.name = name }

    func started() { state.withLock { $0.attempts += 1 } }

    func succeeded(after duration: Duration, bytes: Int64 = 0) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        state.withLock {
            $0.samples.append(seconds)
            $0.bytes += bytes
        }
    }

    func failed(_ failure: any Error) {
        let error = failure as? StreamKitClientError ?? .transport(String(describing: failure))
        state.withLock { state in
            let kind = error.kind
            let example = state.errors[kind]?.example ?? String(error.description.prefix(300))
            state.errors[kind] = ((state.errors[kind]?.count ?? 0) + 1, example)
        }
    }

    /// Successes and failures so far.
    var counts: (ok: Int, failed: Int) {
        state.withLock { ($0.samples.count, $0.errors.values.reduce(0) { $0 + $1.count }) }
    }

    func report(elapsedSeconds: Double) -> OperationReport {
        state.withLock { state in
            OperationReport(
                name: name, attempts: state.attempts, successes: state.samples.count,
                errors: state.errors.map { (kind: $0.key, count: $0.value.count, example: $0.value.example) }.sorted { $0.count > $1.count },
                bytes: state.bytes, elapsedSeconds: elapsedSeconds, latency: LatencySummary(samples: state.samples)
            )
        }
    }
}
