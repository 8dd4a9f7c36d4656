import Foundation
import StreamKitCore
import StreamKitEngine
import Testing
@testable import StreamKitNodes

/// The dynamic codec samples in a real session: end of stream flows through the codecs, the
/// muxer finishes its file, and the result is valid for the reference tools.
@Suite("Codec samples in dynamic sessions", .timeLimit(.minutes(2)))
struct CodecSessionTests {
    /// Waits (on events, no polling) until `node` reports a final state, and returns it.
    private static func finalState(of node: String, in session: DynamicSession) async -> NodeState? {
        let subscription = session.subscribe()
        if let state = await session.state(of: node), state.isFinal { return state }
        for await item in subscription {
            if case .event(.nodeStateChanged(node, let state)) = item, state.isFinal { return state }
        }
        return nil
    }

    @Test func theOggFileGainFileSessionWritesAValidQuieterFile() async throws {
        try await withScratch { scratch in
            let music = try await CodecPipelines.run(try CodecPipelines.samplePipeline("oneshot/music_to_ogg.yml"))
            let input = try scratch.write("music.ogg", music.bytes)
            let output = scratch.path("quiet.ogg")
            let yaml = try CodecPipelines.samplePipeline("dynamic/ogg_file_gain_file.yml")
                .replacingOccurrences(of: "samples/audio/generated/music_quiet.ogg", with: output)
                .replacingOccurrences(of: "samples/audio/generated/music.ogg", with: input)
            let session = try await DynamicSession.start(id: "codec-test", document: try PipelineParser.parse(yaml), registry: BuiltinNodes.makeRegistry())
            let state = try await withDeadline(seconds: 90) { await Self.finalState(of: "step_6", in: session) }
            await session.shutdown()
            #expect(state == .stopped(reason: .inputClosed), "\(String(describing: state))")

            let info = try ExternalTool.check("opusinfo", [output])
            #expect(!(info.stdout + info.stderr).contains("WARNING"), "\(info.stdout)")
            let before = try FFmpeg.decode(input, scratch: scratch, decoder: "libopus")
            let after = try FFmpeg.decode(output, scratch: scratch, decoder: "libopus")
            #expect(after.samples.count == before.samples.count)
            let ratio = Signal.rms(after.samples) / Signal.rms(before.samples)
            #expect(abs(ratio - 0.5) < 0.05, "RMS ratio \(ratio)")
        }
    }
}
