import Testing
import StreamKitCore
@testable import StreamKitEngine
import StreamKitNodes

@Suite("PipelineGraph: one model of nodes, pins and links")
struct PipelineGraphTests {
    let registry = BuiltinNodes.makeRegistry()

    func graph(_ nodes: [(id: String, kind: String)], links: [LinkID]) throws -> PipelineGraph {
        var graph = PipelineGraph()
        for (id, kind) in nodes {
            graph.addNode(id: id, kind: kind, node: try registry.makeNode(kind: kind, nodeID: id, params: nil))
        }
        for link in links { graph.addLink(link, mode: .reliable) }
        return graph
    }

    static func link(_ from: String, _ to: String) -> LinkID {
        LinkID(fromNode: from, fromPin: "out", toNode: to, toPin: "in")
    }

    static func out(_ node: String) -> PinAddress { PinAddress(node: node, pin: "out") }
    static func input(_ node: String) -> PinAddress { PinAddress(node: node, pin: "in") }

    @Test func aPassthroughChainTakesTheTypeOfWhatFeedsIt() throws {
        // Listed downstream first: resolution follows the links, not the order of the nodes.
        let graph = try graph(
            [("p2", "core::passthrough"), ("p1", "core::passthrough"), ("tone", "audio::tone")],
            links: [Self.link("tone", "p1"), Self.link("p1", "p2")]
        )
        let toneType = graph.producedType(at: Self.out("tone"))
        #expect(toneType != .passthrough)
        #expect(graph.producedType(at: Self.out("p2")) == toneType)
        #expect(graph.typeCheck(from: Self.out("p1"), to: Self.input("p2")) == .fits(toneType))
    }

    @Test func aPassthroughNothingFeedsStaysUnresolved() throws {
        let graph = try graph([("p", "core::passthrough"), ("sink", "core::sink")], links: [])
        #expect(graph.producedType(at: Self.out("p")) == .passthrough)
        #expect(graph.typeCheck(from: Self.out("p"), to: Self.input("sink")) == .unresolved)
        #expect(graph.typeCheck(from: Self.out("p"), to: PinAddress(node: "sink", pin: "nope")) == nil)
    }

    @Test func aMismatchNamesBothPinsAndTypes() throws {
        let graph = try graph([("chunks", "core::text_chunker"), ("gain", "audio::gain")], links: [])
        guard case .mismatch(_, _, let message) = graph.typeCheck(from: Self.out("chunks"), to: Self.input("gain")) else {
            Issue.record("expected a type mismatch")
            return
        }
        #expect(message.hasPrefix("type mismatch: 'chunks.out' produces "))
        #expect(message.contains("but 'gain.in' accepts "))
    }

    @Test func cyclesAreFoundOnceUnlessANodeInThemIsExempt() throws {
        let graph = try graph([("a", "core::passthrough"), ("b", "core::passthrough")], links: [Self.link("a", "b"), Self.link("b", "a")])
        #expect(graph.cycles(exempt: []) == [["a", "b", "a"]])
        #expect(graph.cycles(exempt: ["b"]).isEmpty)
    }

    @Test func removingANodeTakesItsLinksAlong() throws {
        var graph = try graph(
            [("tone", "audio::tone"), ("p", "core::passthrough"), ("sink", "core::sink")],
            links: [Self.link("tone", "p"), Self.link("p", "sink")]
        )
        #expect(graph.fedInputs == [Self.input("p"), Self.input("sink")])
        let removed = graph.removeNode("p")
        #expect(removed == [Self.link("tone", "p"), Self.link("p", "sink")])
        #expect(graph.nodeIDs == ["tone", "sink"])
        #expect(graph.linkIDs.isEmpty)
        #expect(graph.fedInputs.isEmpty)
        #expect(graph.removeLink(Self.link("tone", "p")) == false)
    }

    @Test func missingPinMessagesListThePinsThere() throws {
        let graph = try graph([("g", "audio::gain")], links: [])
        let vertex = try #require(graph.vertex("g"))
        #expect(!graph.hasPin(.output, at: PinAddress(node: "g", pin: "x")))
        #expect(graph.hasPin(.input, at: Self.input("g")))
        #expect(PipelineGraph.noSuchPin(.output, "x", on: vertex, namingNode: false) == "'audio::gain' has no output pin 'x' (outputs: out)")
        #expect(PipelineGraph.noSuchPin(.input, "y", on: vertex, namingNode: true) == "'audio::gain' node 'g' has no input pin 'y' (inputs: in)")
    }

    @Test func pinAddressesOrderByNodeThenPin() {
        #expect(PinAddress(node: "a", pin: "z") < PinAddress(node: "ab", pin: "a"))
        #expect(PinAddress(node: "a", pin: "in_0") < PinAddress(node: "a", pin: "in_1"))
        #expect(PinAddress(node: "mix", pin: "in_1").description == "mix.in_1")
    }
}
