import Foundation
import StreamKitClient
import StreamKitCore
import TOMLKit

/// A load test, read from TOML. The server is never part of the file: it is the one given on the
/// command line, so a config cannot point traffic elsewhere.
///
/// ```toml
/// [oneshot]                      # POST /api/v1/process in a loop
/// pipeline = "pipelines/oneshot_passthrough.yml"   # relative to this file
/// input_file = "../audio/generated/tone.wav"       # sent as `media`; omit for file_reader pipelines
/// concurrency = 50               # requests in flight
/// duration_secs = 60             # stop issuing after this long …
/// requests = 10000               # … or after this many requests (whichever comes first)
///
/// [dynamic]                      # long-running sessions, tuned over WebSocket
/// pipeline = "pipelines/dynamic_tone_gain.yml"
/// sessions = 200
/// duration_secs = 120
/// tune_interval_ms = 5000        # each session is tuned this often (0 or absent: no tuning)
/// media_input = "mic"           # stream audio in and out of each session (see ``LoadTestMedia``)
/// media_output = "speaker"
/// media_encoding = "ogg_opus"
/// [dynamic.tune]
/// node = "gain"
/// params = { gain = 1.0 }        # fixed values …
/// random = { gain = [0.5, 2.0] } # … and values drawn uniformly from a range on each tune
/// ```
public struct LoadTestConfiguration: Sendable {
    /// Upper bounds that keep a run bounded whatever the file says.
    public enum Limits {
        public static let maxConcurrency = 1000
        public static let maxSessions = 10_000
        public static let maxDurationSeconds = 24 * 3600.0
        public static let maxRequests = 10_000_000
        /// Time cap of a oneshot phase limited only by `requests`.
        public static let defaultRequestOnlyCapSeconds = 3600.0
        public static let minTuneIntervalMs = 10
    }

    /// Oneshot phase: `POST /api/v1/process` from `concurrency` workers.
    public struct Oneshot: Sendable {
        public var pipelinePath: String
        public var pipelineYAML: String
        /// The `media` file; nil sends only the pipeline.
        public var inputPath: String?
        /// The `media` part's Content-Type (guessed from the extension when absent).
        public var inputContentType: String?
        public var concurrency: Int
        /// Issue no request after this long.
        public var duration: Duration
        /// Issue at most this many requests.
        public var requests: Int?
        /// Longest a single request may take, body included.
        public var requestTimeout: Duration
    }

    /// Dynamic phase: sessions created over HTTP, tuned over WebSocket, destroyed at the end.
    public struct Dynamic: Sendable {
        public var pipelinePath: String
        public var pipelineYAML: String
        public var sessions: Int
        /// From the start of the phase to the start of clean-up.
        public var duration: Duration
        /// Per-session tune interval; nil means no tuning.
        public var tuneInterval: Duration?
        public var tuneNode: String?
        /// Fixed parameters sent with every tune.
        public var tuneParams: JSONObject
        /// Parameters drawn uniformly from a range on each tune.
        public var tuneRandom: [(key: String, range: ClosedRange<Double>)]
        /// Sessions created at the same time.
        public var createConcurrency: Int
        /// WebSocket connections the tunes are spread over.
        public var connections: Int
        /// Destroy the sessions at the end.
        public var cleanup: Bool
        /// Audio streamed through each session's media sockets; nil when the test sends none.
        public var media: LoadTestMedia?
    }

    public var oneshot: Oneshot?
    public var dynamic: Dynamic?

    public init(oneshot: Oneshot? = nil, dynamic: Dynamic? = nil) {
        self.oneshot = oneshot
        self.dynamic = dynamic
    }

    /// Reads a config file; relative paths inside it are resolved against the file's directory.
    public static func load(path: String) throws(StreamKitClientError) -> LoadTestConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .invalidArgument("cannot read load-test config '\(path)': \(UploadSource.reason(error))")
        }
        let directory = (path as NSString).deletingLastPathComponent
        return try parse(toml: text, baseDirectory: directory.isEmpty ? "." : directory, source: path)
    }

    /// Parses config text. `baseDirectory` anchors relative file paths.
    public static func parse(toml text: String, baseDirectory: String, source: String = "config") throws(StreamKitClientError) -> LoadTestConfiguration {
        let root: JSONObject
        do {
            root = TOMLJSON.object(try TOMLTable(string: text))
        } catch let error as TOMLParseError {
            throw .invalidArgument("\(source): invalid TOML at line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        } catch {
            throw .invalidArgument("\(source): invalid TOML: \(error)")
        }
        var reader = Reader(source: source, baseDirectory: baseDirectory)
        for key in root.keys where !["oneshot", "dynamic"].contains(key) {
            if key == "server" {
                throw .invalidArgument("\(source): [server] is not read from load-test configs; the server is the one given with --server (or SKIT_SERVER)")
            }
            throw .invalidArgument("\(source): unknown section or key '\(key)' (expected [oneshot] and/or [dynamic])")
        }
        var configuration = LoadTestConfiguration()
        if let table = root["oneshot"] {
            configuration.oneshot = try reader.oneshot(try reader.table(table, at: "oneshot"))
        }
        if let table = root["dynamic"] {
            configuration.dynamic = try reader.dynamic(try reader.table(table, at: "dynamic"))
        }
        guard configuration.oneshot != nil || configuration.dynamic != nil else {
            throw .invalidArgument("\(source): nothing to run; add a [oneshot] and/or a [dynamic] section")
        }
        return configuration
    }

    /// Reads typed values with errors that name the file and key.
    private struct Reader {
        let source: String
        let baseDirectory: String

        func fail(_ key: String, _ problem: String) -> StreamKitClientError {
            .invalidArgument("\(source): \(key): \(problem)")
        }

        func table(_ value: JSONValue, at key: String) throws(StreamKitClientError) -> JSONObject {
            guard let object = value.objectValue else { throw fail(key, "expected a table") }
            return object
        }

        func checkKeys(_ table: JSONObject, allowed: [String], at section: String) throws(StreamKitClientError) {
            for key in table.keys where !allowed.contains(key) {
                throw fail("\(section).\(key)", "unknown key (allowed: \(allowed.joined(separator: ", ")))")
            }
        }

        func integer(_ table: JSONObject, _ key: String, at section: String, range: ClosedRange<Int>) throws(StreamKitClientError) -> Int? {
            guard let value = table[key] else { return nil }
            guard let number = value.intValue else { throw fail("\(section).\(key)", "expected an integer, got \(value.jsonString())") }
            guard range.contains(number) else { throw fail("\(section).\(key)", "\(number) is outside \(range.lowerBound)...\(range.upperBound)") }
            return number
        }

        func seconds(_ table: JSONObject, _ key: String, at section: String) throws(StreamKitClientError) -> Double? {
            guard let value = table[key] else { return nil }
            guard let number = value.doubleValue, number.isFinite else { throw fail("\(section).\(key)", "expected a number of seconds, got \(value.jsonString())") }
            guard number > 0, number <= Limits.maxDurationSeconds else {
                throw fail("\(section).\(key)", "must be greater than 0 and at most \(Int(Limits.maxDurationSeconds))")
            }
            return number
        }

        func string(_ table: JSONObject, _ key: String, at section: String) throws(StreamKitClientError) -> String? {
            guard let value = table[key] else { return nil }
            guard let text = value.stringValue, !text.isEmpty else { throw fail("\(section).\(key)", "expected a non-empty string") }
            return text
        }

        func bool(_ table: JSONObject, _ key: String, at section: String) throws(StreamKitClientError) -> Bool? {
            guard let value = table[key] else { return nil }
            guard let flag = value.boolValue else { throw fail("\(section).\(key)", "expected true or false") }
            return flag
        }

        /// A path relative to the config file, checked to be a readable regular file.
        func file(_ table: JSONObject, _ key: String, at section: String) throws(StreamKitClientError) -> String? {
            guard let raw = try string(table, key, at: section) else { return nil }
            let path = raw.hasPrefix("/") ? raw : (baseDirectory as NSString).appendingPathComponent(raw)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw fail("\(section).\(key)", "no file at '\(path)'")
            }
            guard FileManager.default.isReadableFile(atPath: path) else { throw fail("\(section).\(key)", "'\(path)' is not readable") }
            return path
        }

        func pipeline(_ table: JSONObject, at section: String) throws(StreamKitClientError) -> (path: String, yaml: String) {
            guard let path = try file(table, "pipeline", at: section) else { throw fail("\(section).pipeline", "required (a pipeline YAML file)") }
            do {
                return (path, try String(contentsOfFile: path, encoding: .utf8))
            } catch {
                throw fail("\(section).pipeline", "cannot read '\(path)': \(UploadSource.reason(error))")
            }
        }

        mutating func oneshot(_ table: JSONObject) throws(StreamKitClientError) -> Oneshot {
            let section = "oneshot"
            try checkKeys(table, allowed: ["pipeline", "input_file", "content_type", "concurrency", "duration_secs", "requests", "request_timeout_secs"], at: section)
            let (path, yaml) = try pipeline(table, at: section)
            let duration = try seconds(table, "duration_secs", at: section)
            let requests = try integer(table, "requests", at: section, range: 1...Limits.maxRequests)
            guard duration != nil || requests != nil else {
                throw fail(section, "give duration_secs, requests or both, so the run is bounded")
            }
            return Oneshot(
                pipelinePath: path, pipelineYAML: yaml,
                inputPath: try file(table, "input_file", at: section),
                inputContentType: try string(table, "content_type", at: section),
                concurrency: try integer(table, "concurrency", at: section, range: 1...Limits.maxConcurrency) ?? 1,
                duration: .milliseconds(Int64(((duration ?? Limits.defaultRequestOnlyCapSeconds) * 1000).rounded())),
                requests: requests,
                requestTimeout: .milliseconds(Int64(((try seconds(table, "request_timeout_secs", at: section) ?? 60) * 1000).rounded()))
            )
        }

        mutating func dynamic(_ table: JSONObject) throws(StreamKitClientError) -> Dynamic {
            let section = "dynamic"
            try checkKeys(table, allowed: ["pipeline", "sessions", "duration_secs", "tune_interval_ms", "tune", "create_concurrency", "connections", "cleanup"] + LoadTestMedia.keys, at: section)
            let (path, yaml) = try pipeline(table, at: section)
            guard let sessions = try integer(table, "sessions", at: section, range: 1...Limits.maxSessions) else {
                throw fail("\(section).sessions", "required (how many sessions to run)")
            }
            guard let duration = try seconds(table, "duration_secs", at: section) else {
                throw fail("\(section).duration_secs", "required, so the run is bounded")
            }
            let intervalMs = try integer(table, "tune_interval_ms", at: section, range: 0...86_400_000) ?? 0
            if intervalMs > 0 && intervalMs < Limits.minTuneIntervalMs {
                throw fail("\(section).tune_interval_ms", "must be 0 (no tuning) or at least \(Limits.minTuneIntervalMs)")
            }
            var tuneNode: String?
            var tuneParams = JSONObject()
            var tuneRandom: [(key: String, range: ClosedRange<Double>)] = []
            if let value = table["tune"] {
                let tune = try self.table(value, at: "\(section).tune")
                try checkKeys(tune, allowed: ["node", "params", "random"], at: "\(section).tune")
                tuneNode = try string(tune, "node", at: "\(section).tune")
                if let params = tune["params"] { tuneParams = try self.table(params, at: "\(section).tune.params") }
                if let random = tune["random"] {
                    for (key, range) in try self.table(random, at: "\(section).tune.random") {
                        guard let bounds = range.arrayValue, bounds.count == 2,
                              let low = bounds[0].doubleValue, let high = bounds[1].doubleValue,
                              low.isFinite, high.isFinite, low <= high else {
                            throw fail("\(section).tune.random.\(key)", "expected [low, high] with low <= high")
                        }
                        tuneRandom.append((key, low...high))
                    }
                }
            }
            if intervalMs > 0 && tuneNode == nil {
                throw fail("\(section).tune.node", "required when tune_interval_ms is set (the node to tune)")
            }
            if intervalMs > 0 && tuneParams.isEmpty && tuneRandom.isEmpty {
                throw fail("\(section).tune", "give params and/or random values to send")
            }
            return Dynamic(
                pipelinePath: path, pipelineYAML: yaml, sessions: sessions,
                duration: .milliseconds(Int64((duration * 1000).rounded())),
                tuneInterval: intervalMs > 0 ? .milliseconds(intervalMs) : nil,
                tuneNode: tuneNode, tuneParams: tuneParams, tuneRandom: tuneRandom,
                createConcurrency: try integer(table, "create_concurrency", at: section, range: 1...256) ?? 8,
                connections: try integer(table, "connections", at: section, range: 1...64) ?? min(4, sessions),
                cleanup: try bool(table, "cleanup", at: section) ?? true,
                media: try media(table, at: section)
            )
        }

        func number(_ table: JSONObject, _ key: String, at section: String, range: ClosedRange<Double>) throws(StreamKitClientError) -> Double? {
            guard let value = table[key] else { return nil }
            guard let number = value.doubleValue, number.isFinite else { throw fail("\(section).\(key)", "expected a number, got \(value.jsonString())") }
            guard range.contains(number) else { throw fail("\(section).\(key)", "\(number) is outside \(range.lowerBound)...\(range.upperBound)") }
            return number
        }

        /// The `media_*` keys of `[dynamic]`; nil when there are none.
        func media(_ table: JSONObject, at section: String) throws(StreamKitClientError) -> LoadTestMedia? {
            let given = LoadTestMedia.keys.filter { table[$0] != nil }
            guard !given.isEmpty else { return nil }
            let input = try string(table, "media_input", at: section)
            let output = try string(table, "media_output", at: section)
            guard input != nil || output != nil else {
                throw fail("\(section).\(given[0])", "needs media_input (a transport::websocket::input node) and/or media_output (a transport::websocket::output node)")
            }
            var encoding = LoadTestMedia.Encoding.pcmF32le
            if let name = try string(table, "media_encoding", at: section) {
                guard let parsed = LoadTestMedia.Encoding(rawValue: name) else {
                    throw fail("\(section).media_encoding", "unknown encoding '\(name)' (expected \(LoadTestMedia.Encoding.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                encoding = parsed
            }
            let file = try self.file(table, "media_input_file", at: section)
            let toneKeys = ["media_tone_hz", "media_tone_amplitude", "media_sample_rate", "media_channels"].filter { table[$0] != nil }
            if file != nil, let key = toneKeys.first {
                throw fail("\(section).\(key)", "describes a generated tone; it cannot be combined with media_input_file (the file has its own format)")
            }
            if input == nil, let key = (["media_input_file", "media_realtime", "media_frame_ms"] + toneKeys).first(where: { table[$0] != nil }) {
                throw fail("\(section).\(key)", "describes the audio sent, but no media_input node is named to send it to")
            }
            let source: LoadTestMedia.Source
            if let file {
                source = try LoadTestMedia.wav(path: file)
            } else {
                source = LoadTestMedia.tone(
                    frequency: try number(table, "media_tone_hz", at: section, range: 1...20_000) ?? 440,
                    amplitude: try number(table, "media_tone_amplitude", at: section, range: 0...1) ?? 0.5,
                    sampleRate: try integer(table, "media_sample_rate", at: section, range: 8_000...192_000) ?? 48_000,
                    channels: try integer(table, "media_channels", at: section, range: 1...8) ?? 1
                )
            }
            if encoding == .oggOpus && source.channels > 2 {
                throw fail("\(section).media_encoding", "ogg_opus sends mono or stereo; the input has \(source.channels) channels")
            }
            return LoadTestMedia(
                inputNode: input, outputNode: output, encoding: encoding, source: source,
                frameMilliseconds: try integer(table, "media_frame_ms", at: section, range: 5...1000) ?? 20,
                realTime: try bool(table, "media_realtime", at: section) ?? true
            )
        }
    }
}

/// TOML values as JSON values (tables keep their key order).
enum TOMLJSON {
    static func object(_ table: TOMLTable) -> JSONObject {
        JSONObject(table.keys.compactMap { key in table[key].map { (key, value($0)) } })
    }

    static func value(_ value: any TOMLValueConvertible) -> JSONValue {
        switch value.type {
        case .table: return value.table.map { JSONValue.object(object($0)) } ?? JSONValue.object(JSONObject())
        case .array: return .array(value.array.map { $0.map { self.value($0) } } ?? [])
        case .string: return .string(value.string ?? "")
        case .int: return .number(Double(value.int ?? 0))
        case .double: return .number(value.double ?? 0)
        case .bool: return .bool(value.bool ?? false)
        case .date, .time, .dateTime: return .string(value.debugDescription)
        }
    }
}
