import Foundation
import Hummingbird
import StreamKitCore
import StreamKitEngine

/// Sample pipelines: list (by mode), read one, save a user sample, delete a user sample.
///
/// Ids contain a `/` (`oneshot/double_volume_wav`). They are accepted percent-encoded
/// (`oneshot%2Fdouble_volume_wav`, as the web UI sends them) and as plain path segments
/// (`oneshot/double_volume_wav`, as `skit-cli` sends them).
enum SampleRoutes {
    /// Largest save request body (the JSON around the YAML): 2 MiB, as the original's framework default.
    static let maxRequestBytes = 2 * 1024 * 1024

    static func install(on router: some RouterMethods<APIRequestContext>, samples: SampleService) {
        router.get("api/v1/samples/oneshot") { _, context in
            try await list(mode: .oneshot, samples: samples, caller: context.caller)
        }
        router.get("api/v1/samples/dynamic") { _, context in
            try await list(mode: .dynamic, samples: samples, caller: context.caller)
        }

        router.get("api/v1/samples/oneshot/**") { _, context in
            // The permission is refused before the id is looked at.
            try context.caller.authorize(.readSample)
            let sample = try await samples.sample(try sampleID(context.parameters), caller: context.caller)
            return JSONResponse.make(sample.json)
        }

        router.post("api/v1/samples/oneshot") { request, context in
            try context.caller.authorize(.saveSample)
            var request = request
            let body = try await RequestBodies.json(&request, limit: maxRequestBytes)
            let saved = try await samples.save(try saveRequest(from: body), caller: context.caller)
            return JSONResponse.make(saved.json, status: .created)
        }

        router.delete("api/v1/samples/oneshot/**") { _, context in
            try context.caller.authorize(.deleteSample)
            try await samples.delete(try sampleID(context.parameters), caller: context.caller)
            return Response(status: .noContent)
        }
    }

    static func list(mode: PipelineMode, samples: SampleService, caller: Caller) async throws -> Response {
        JSONResponse.make(.array(try await samples.list(mode: mode, caller: caller).map(\.json)))
    }

    /// The sample id from the path: every segment after `samples/oneshot/`, joined with `/`,
    /// then percent-decoded (so `oneshot%2Fx` and `oneshot/x` are the same id).
    static func sampleID(_ parameters: Parameters) throws -> String {
        let raw = parameters.getCatchAll().joined(separator: "/")
        guard let decoded = raw.removingPercentEncoding else {
            throw APIError.badRequest("Invalid percent-encoding in sample id '\(raw)'", code: "invalid_filename")
        }
        guard !decoded.isEmpty else { throw APIError.badRequest("Invalid filename: file name is empty", code: "invalid_filename") }
        return decoded
    }

    /// Reads `SavePipelineRequest`, listing every missing or mistyped field together (400).
    static func saveRequest(from body: JSONValue) throws -> SampleSaveRequest {
        guard let object = body.objectValue else {
            throw APIError.badRequest("the request body must be a JSON object with 'name', 'description' and 'yaml'", code: "invalid_request")
        }
        var problems: [String] = []
        func string(_ key: String) -> String {
            guard let value = object[key] else {
                problems.append("'\(key)' is required")
                return ""
            }
            guard let text = value.stringValue else {
                problems.append("'\(key)' must be a string, got \(value.jsonString())")
                return ""
            }
            return text
        }
        func flag(_ key: String) -> Bool {
            guard let value = object[key], !value.isNull else { return false }
            guard let flag = value.boolValue else {
                problems.append("'\(key)' must be true or false, got \(value.jsonString())")
                return false
            }
            return flag
        }
        let request = SampleSaveRequest(
            name: string("name"), description: string("description"), yaml: string("yaml"),
            overwrite: flag("overwrite"), isFragment: flag("is_fragment")
        )
        if !problems.isEmpty {
            throw APIError(
                .badRequest, code: "invalid_request", problems.joined(separator: "; "),
                issues: problems.map { .object(["message": .string($0)]) }
            )
        }
        return request
    }
}
