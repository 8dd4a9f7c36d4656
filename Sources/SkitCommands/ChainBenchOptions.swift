import ArgumentParser

/// The defaults that differ between the chain benchmarks.
protocol ChainBenchDefaults {
    /// Nodes of the measured kind in the chain.
    static var hops: Int { get }
    /// Packets a run moves.
    static var packets: Int { get }
}

/// The options of the benchmarks that push mono 48 kHz audio frames through a chain of nodes
/// (`skit bench engine`, `skit bench plugin`), and the oneshot pipeline each run uses.
struct ChainBenchOptions<Defaults: ChainBenchDefaults>: ParsableArguments {
    @Option(help: "Nodes of the measured kind in the chain.")
    var hops = Defaults.hops

    @Option(help: "Packets per run.")
    var packets = Defaults.packets

    @Option(help: "Samples per frame (mono 48 kHz).")
    var frame = 960

    @Option(help: "Runs of each configuration; the median is reported.")
    var repeats = 5

    init() {}

    /// How many runs to take the median of (at least one).
    var runs: Int { max(1, repeats) }

    /// An `audio::tone` source of `packets` frames, `hops` nodes of `kind` (with `params`, when
    /// given, as YAML flow text) and a `core::sink`.
    func pipeline(waveform: String, kind: String, params: String? = nil, hops: Int) -> String {
        let frameMs = Double(frame) / 48.0
        var steps = "mode: oneshot\nsteps:\n"
        steps += "  - kind: audio::tone\n    params: {waveform: \(waveform), sample_rate: 48000, channels: 1, frame_ms: \(frameMs), duration_ms: \(Int(Double(packets) * frameMs))}\n"
        for _ in 0..<hops {
            steps += "  - kind: \(kind)\n" + (params.map { "    params: \($0)\n" } ?? "")
        }
        steps += "  - kind: core::sink\n"
        return steps
    }
}
