import AsyncHTTPClient
import Foundation
import NIOCore
import StreamKitClient
import StreamKitCore

/// Runs a ``LoadTestConfiguration`` against one server and measures it.
///
/// - oneshot: `concurrency` workers post the pipeline and input in a loop until the duration or
///   the request count is reached; latency is request start → last byte of the answer.
/// - dynamic: `sessions` sessions are created over HTTP (latency of each create), tuned over a few
///   WebSocket connections every `tune_interval_ms` (round-trip of each `tunenode`), then destroyed.
///
/// Both phases run at the same time when both are configured. Everything is bounded: no request is
/// issued after its phase's duration, and each request has its own timeout.
public struct LoadTester: Sendable {
    public let server: ServerAddress
    public let role: String?
    public let roleHeader: String
    /// Called about every `progressInterval` with a one-line status.
    public var onProgress: (@Sendable (String) -> Void)?
    public var progressInterval: Duration = .seconds(5)

    public init(server: ServerAddress, role: String? = nil, roleHeader: String = "x-role") {
        self.server = server
        self.role = role
        self.roleHeader = roleHeader
    }

    /// Runs the test and returns its report. Errors of individual operations are counted, not thrown;
    /// only problems that stop the whole run (no HTTP client) are thrown.
    public func run(_ configuration: LoadTestConfiguration) async throws(StreamKitClientError) -> LoadTestReport {
        var poolSize = 8
        if let oneshot = configuration.oneshot { poolSize = max(poolSize, oneshot.concurrency) }
        if let dynamic = configuration.dynamic { poolSize = max(poolSize, dynamic.createConcurrency) }
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: poolSize + 2)
        httpConfiguration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)

        let started = ContinuousClock.now
        let notes = Locked<[String]>([])
        let oneshotRecorder = OperationRecorder(name: "oneshot")
        let createRecorder = OperationRecorder(name: "session_create")
        let tuneRecorder = OperationRecorder(name: "tune")
        let destroyRecorder = OperationRecorder(name: "session_destroy")
        let phaseTimes = Locked<[String: Double]>([:])
        let mediaOutcome = Locked<(report: MediaLoadReport?, error: StreamKitClientError?)>((nil, nil))

        let progress = onProgress.map { report in
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: progressInterval)
                    guard !Task.isCancelled else { break }
                    var parts: [String] = []
                    for recorder in [oneshotRecorder, createRecorder, tuneRecorder, destroyRecorder] {
                        let counts = recorder.counts
                        if counts.ok + counts.failed > 0 { parts.append("\(recorder.name) \(counts.ok) ok/\(counts.failed) err") }
                    }
                    let elapsed = Self.seconds(ContinuousClock.now - started)
                    report(String(format: "[%.0fs] ", elapsed) + (parts.isEmpty ? "starting…" : parts.joined(separator: ", ")))
                }
            }
        }

        await withTaskGroup(of: Void.self) { group in
            if let oneshot = configuration.oneshot {
                group.addTask {
                    let phaseStart = ContinuousClock.now
                    await runOneshot(oneshot, http: http, recorder: oneshotRecorder, notes: notes)
                    phaseTimes.withLock { $0["oneshot"] = Self.seconds(ContinuousClock.now - phaseStart) }
                }
            }
            if let dynamic = configuration.dynamic {
                group.addTask {
                    await runDynamic(
                        dynamic, http: http, create: createRecorder, tune: tuneRecorder, destroy: destroyRecorder,
                        notes: notes, phaseTimes: phaseTimes, media: mediaOutcome
                    )
                }
            }
        }
        progress?.cancel()
        try? await http.shutdown()

        let media = mediaOutcome.value
        // A media option that does not fit the pipeline is the config's fault: say so, not a count.
        if let error = media.error { throw error }
        let times = phaseTimes.withLock { $0 }
        var operations: [OperationReport] = []
        if configuration.oneshot != nil {
            operations.append(oneshotRecorder.report(elapsedSeconds: times["oneshot"] ?? 0))
        }
        if configuration.dynamic != nil {
            operations.append(createRecorder.report(elapsedSeconds: times["session_create"] ?? 0))
            if configuration.dynamic?.tuneInterval != nil {
                operations.append(tuneRecorder.report(elapsedSeconds: times["tune"] ?? 0))
            }
            if configuration.dynamic?.cleanup == true {
                operations.append(destroyRecorder.report(elapsedSeconds: times["session_destroy"] ?? 0))
            }
        }
        return LoadTestReport(
            server: server.baseURL, operations: operations,
            elapsedSeconds: Self.seconds(ContinuousClock.now - started), notes: notes.withLock { $0 }, media: media.report
        )
    }

    // MARK: Oneshot

    private func runOneshot(_ config: LoadTestConfiguration.Oneshot, http: HTTPClient, recorder: OperationRecorder, notes: Locked<[String]>) async {
        var configured = StreamKitHTTPClient(server: server, role: role, roleHeader: roleHeader, httpClient: http)
        configured.transferTimeout = .nanoseconds(Int64(Self.seconds(config.requestTimeout) * 1e9))
        configured.requestTimeout = configured.transferTimeout
        let client = configured
        let deadline = ContinuousClock.now + config.duration
        let issued = Locked(0)
        let input = config.inputPath.map { UploadSource.file(path: $0) }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<config.concurrency {
                group.addTask {
                    while ContinuousClock.now < deadline, !Task.isCancelled {
                        if let limit = config.requests {
                            guard issued.withLock({ count -> Bool in count += 1; return count <= limit }) else { return }
                        }
                        recorder.started()
                        do {
                            let result = try await client.process(
                                pipelineYAML: config.pipelineYAML, input: input,
                                inputContentType: config.inputContentType, output: .discard
                            )
                            recorder.succeeded(after: result.duration, bytes: result.bytes)
                        } catch {
                            recorder.failed(error)
                            // Do not spin when the server is down or refusing.
                            try? await Task.sleep(for: .milliseconds(20))
                        }
                    }
                }
            }
        }
        if let limit = config.requests, issued.value < limit {
            notes.withLock { $0.append("oneshot: the duration ended before all \(limit) requests were sent") }
        }
    }

    // MARK: Dynamic

    private func runDynamic(
        _ config: LoadTestConfiguration.Dynamic, http: HTTPClient,
        create: OperationRecorder, tune: OperationRecorder, destroy: OperationRecorder,
        notes: Locked<[String]>, phaseTimes: Locked<[String: Double]>,
        media: Locked<(report: MediaLoadReport?, error: StreamKitClientError?)>
    ) async {
        let client = StreamKitHTTPClient(server: server, role: role, roleHeader: roleHeader, httpClient: http)
        let phaseStart = ContinuousClock.now
        let deadline = phaseStart + config.duration
        let runID = String(UUID().uuidString.lowercased().prefix(6))

        // 1. Create the sessions, `createConcurrency` at a time.
        let created = Locked<[String]>([])
        let nextIndex = Locked(0)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<min(config.createConcurrency, config.sessions) {
                group.addTask {
                    while ContinuousClock.now < deadline, !Task.isCancelled {
                        let index = nextIndex.withLock { next -> Int in defer { next += 1 }; return next }
                        guard index < config.sessions else { return }
                        create.started()
                        let start = ContinuousClock.now
                        do {
                            let session = try await client.createSession(yaml: config.pipelineYAML, name: "lt-\(runID)-\(index)")
                            create.succeeded(after: ContinuousClock.now - start)
                            created.withLock { $0.append(session.id) }
                        } catch {
                            create.failed(error)
                        }
                    }
                }
            }
        }
        let sessions = created.withLock { $0 }
        phaseTimes.withLock { $0["session_create"] = Self.seconds(ContinuousClock.now - phaseStart) }
        if sessions.count < config.sessions {
            notes.withLock { $0.append("dynamic: \(sessions.count) of \(config.sessions) sessions were created") }
        }

        // 2. Stream audio through their media sockets (checked against the real pipeline first)
        //    while tuning them until the deadline (or just letting them run).
        var mediaTask: Task<MediaLoadReport?, Never>?
        if let settings = config.media, let first = sessions.first {
            do {
                try Self.checkMedia(settings, against: try await client.pipeline(of: first), file: config.pipelinePath)
                let streamer = MediaSessionStreamer(media: settings, server: server, role: role, roleHeader: roleHeader)
                mediaTask = Task {
                    let reports = await withTaskGroup(of: MediaSessionReport.self) { group in
                        for session in sessions { group.addTask { await streamer.run(session: session, until: deadline) } }
                        var reports: [MediaSessionReport] = []
                        for await report in group { reports.append(report) }
                        return reports
                    }
                    let order = Dictionary(uniqueKeysWithValues: sessions.enumerated().map { ($1, $0) })
                    return MediaLoadReport(encoding: settings.encoding.rawValue, sessions: reports.sorted { (order[$0.session] ?? 0) < (order[$1.session] ?? 0) })
                }
            } catch {
                media.withLock { $0.error = error }
            }
        }
        let tuneStart = ContinuousClock.now
        // A media setting that does not fit the pipeline fails the run; do not keep the sessions
        // busy until the deadline first.
        let mediaRefused = media.withLock { $0.error != nil }
        if !mediaRefused, let interval = config.tuneInterval, let node = config.tuneNode, !sessions.isEmpty {
            var connections: [ControlConnection] = []
            for _ in 0..<min(config.connections, sessions.count) {
                do {
                    connections.append(try await ControlConnection.connect(to: server, role: role, roleHeader: roleHeader))
                } catch {
                    tune.failed(error)
                }
            }
            if connections.isEmpty {
                notes.withLock { $0.append("dynamic: no WebSocket connection could be opened; no tuning") }
            } else {
                let pool = connections
                await withTaskGroup(of: Void.self) { group in
                    for (index, session) in sessions.enumerated() {
                        let connection = pool[index % pool.count]
                        group.addTask {
                            // Spread the sessions over the interval so tunes do not all land at once.
                            let offset = Double.random(in: 0..<1) * Self.seconds(interval)
                            try? await Task.sleep(for: .milliseconds(Int64(offset * 1000)))
                            while ContinuousClock.now < deadline, !Task.isCancelled {
                                tune.started()
                                let start = ContinuousClock.now
                                do {
                                    try await connection.tuneNode(session: session, node: node, params: Self.params(config))
                                    tune.succeeded(after: ContinuousClock.now - start)
                                } catch {
                                    tune.failed(error)
                                }
                                let next = start + interval
                                guard next < deadline else { break }
                                try? await Task.sleep(until: next)
                            }
                        }
                    }
                }
                for connection in connections { await connection.close() }
            }
        } else if !mediaRefused, ContinuousClock.now < deadline {
            try? await Task.sleep(until: deadline)
        }
        if let mediaTask {
            let report = await mediaTask.value
            media.withLock { $0.report = report }
        }
        phaseTimes.withLock { $0["tune"] = Self.seconds(ContinuousClock.now - tuneStart) }

        // 3. Clean up.
        guard config.cleanup else {
            if !sessions.isEmpty {
                notes.withLock { $0.append("dynamic: cleanup = false; \(sessions.count) sessions left running (names lt-\(runID)-*)") }
            }
            return
        }
        let destroyStart = ContinuousClock.now
        let remaining = Locked(sessions)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<min(config.createConcurrency, max(1, sessions.count)) {
                group.addTask {
                    while let session = remaining.withLock({ $0.popLast() }) {
                        destroy.started()
                        let start = ContinuousClock.now
                        do {
                            try await client.destroySession(session)
                            destroy.succeeded(after: ContinuousClock.now - start)
                        } catch {
                            destroy.failed(error)
                        }
                    }
                }
            }
        }
        phaseTimes.withLock { $0["session_destroy"] = Self.seconds(ContinuousClock.now - destroyStart) }
    }

    /// Checks the media options against a session's real pipeline: the nodes exist, have the
    /// right kinds, and do not fix another encoding. The errors name the node and the pipeline's
    /// real media nodes.
    static func checkMedia(_ media: LoadTestMedia, against pipeline: RemotePipeline, file: String) throws(StreamKitClientError) {
        let checks: [(key: String, node: String?, kind: String)] = [
            ("media_input", media.inputNode, "transport::websocket::input"), ("media_output", media.outputNode, "transport::websocket::output"),
        ]
        for (key, name, kind) in checks {
            guard let name else { continue }
            let candidates = pipeline.nodes.filter { $0.kind == kind }.map(\.id)
            let available = candidates.isEmpty ? "it has no \(kind) node" : "its \(kind) nodes: \(candidates.joined(separator: ", "))"
            guard let node = pipeline.nodes.first(where: { $0.id == name }) else {
                throw .invalidArgument("[dynamic] \(key) = \"\(name)\": the pipeline (\(file)) has no node '\(name)'; \(available)")
            }
            guard node.kind == kind else {
                throw .invalidArgument("[dynamic] \(key) = \"\(name)\": node '\(name)' is a \(node.kind), not a \(kind); \(available)")
            }
            if let fixed = node.params["encoding"]?.stringValue, fixed != media.encoding.mediaEncoding.rawValue {
                throw .invalidArgument("[dynamic] media_encoding = \"\(media.encoding.rawValue)\": node '\(name)' fixes encoding \(fixed) in its params")
            }
        }
    }

    /// The parameters of one tune: the fixed ones plus fresh random draws.
    static func params(_ config: LoadTestConfiguration.Dynamic) -> JSONValue {
        var params = config.tuneParams
        for (key, range) in config.tuneRandom {
            let value = range.lowerBound == range.upperBound ? range.lowerBound : Double.random(in: range)
            params[key] = .number((value * 1000).rounded() / 1000)
        }
        return .object(params)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
