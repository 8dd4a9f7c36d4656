import StreamKitCore
import StreamKitEngine

/// Oneshot runs for a caller: the permission, a slot of `permissions.max_concurrent_oneshots`,
/// the pipeline read, authorized and planned, then run. `POST /api/v1/process` streams the
/// request into it and the output back; everything else about a run is decided here.
struct OneshotService: Sendable {
    /// A pipeline ready to run.
    struct Prepared: Sendable {
        var plan: PipelinePlan
        /// The content type of what the run writes.
        var contentType: String
    }

    let runner: OneshotRunner
    let limiter: ConcurrencyLimiter
    let gate: PipelineGate

    /// A run slot, released by the caller when the run ends; ``ServiceError/busy(_:)`` when every slot is taken.
    func reserveSlot() throws(ServiceError) -> ConcurrencyLimiter.Slot {
        guard let slot = limiter.acquire() else {
            throw .busy("too many oneshot requests in progress (permissions.max_concurrent_oneshots = \(limiter.limit ?? 0)); retry shortly")
        }
        return slot
    }

    /// The pipeline document of `yaml` (read before the rest of the request, so a bad one is refused early).
    func parse(_ yaml: String) throws(ServiceError) -> PipelineDocument {
        do {
            return try PipelineParser.parse(yaml)
        } catch {
            throw .invalidPipeline(error)
        }
    }

    /// Authorizes `document` for `caller`, then plans `yaml` and checks that its input and output
    /// nodes fit the request (`hasMedia`: whether input comes with it).
    ///
    /// Authorization comes before the nodes are built: building runs node code (a script node
    /// reads its script_path), which must not happen for a path or kind the caller may not use.
    func prepare(_ document: PipelineDocument, yaml: String, media: (present: Bool, contentType: String?), caller: Caller) throws(ServiceError) -> Prepared {
        try caller.authorize(.runOneshot)
        try gate.require(document, caller: caller, context: .oneshot(hasMedia: media.present))
        let plan: PipelinePlan
        do {
            plan = try runner.plan(yaml)
        } catch {
            throw .invalidPipeline(error)
        }
        let endpoints = OneshotRunner.endpoints(of: plan)
        if media.present && !endpoints.readsInput {
            throw .invalid(code: "invalid_pipeline", message: "Pipeline must contain one 'streamkit::http_input' node when media is provided")
        }
        if !media.present && endpoints.readsInput {
            throw .invalid(code: "invalid_pipeline", message: "Pipeline cannot contain 'streamkit::http_input' node when no media is provided")
        }
        guard endpoints.writesOutput else {
            throw .invalid(code: "invalid_pipeline", message: "Pipeline must contain one 'streamkit::http_output' node for oneshot processing")
        }
        return Prepared(plan: plan, contentType: OneshotRunner.outputContentType(of: plan, inputContentType: media.contentType))
    }

    /// Runs a prepared pipeline from `input` to `output`.
    @discardableResult
    func run(_ prepared: Prepared, input: (any ByteSource)?, inputContentType: String?, output: any ByteSink) async throws -> OneshotSummary {
        try await runner.run(prepared.plan, input: input, inputContentType: inputContentType, output: output)
    }
}
