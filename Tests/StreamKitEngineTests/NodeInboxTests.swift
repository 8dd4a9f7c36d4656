import Synchronization
import Testing
import StreamKitCore
@testable import StreamKitEngine

@Suite("NodeInbox: bounded per-pin queues, backpressure, end of stream")
struct NodeInboxTests {
    func packet(_ value: Int) -> Packet { .text(String(value)) }

    func value(_ input: NodeInput?) -> Int? {
        if case .packet(_, .text(let text)) = input { return Int(text) }
        return nil
    }

    @Test func deliversInOrderAndEndsWhenAllWritersFinish() async {
        let inbox = NodeInbox(endsWithNoPins: true)
        inbox.addPin("in", capacity: 4)
        inbox.addWriter(to: "in")
        for index in 0..<3 { #expect(await inbox.send(packet(index), to: "in") == .delivered) }
        inbox.writerFinished(on: "in")
        #expect(value(await inbox.next()) == 0)
        #expect(value(await inbox.next()) == 1)
        #expect(value(await inbox.next()) == 2)
        guard case .inputClosed(let pin) = await inbox.next() else {
            Issue.record("expected inputClosed")
            return
        }
        #expect(pin == "in")
        #expect(await inbox.next() == nil)
    }

    @Test func fullPinSuspendsTheProducerUntilTheConsumerTakes() async {
        let inbox = NodeInbox(endsWithNoPins: true)
        inbox.addPin("in", capacity: 2)
        inbox.addWriter(to: "in")
        let sent = Atomic<Int>(0)
        let producer = Task {
            for index in 0..<10 {
                _ = await inbox.send(packet(index), to: "in")
                sent.add(1, ordering: .relaxed)
            }
            inbox.writerFinished(on: "in")
        }
        // The producer can place 2 in the queue and park 1 more; it cannot get further.
        while inbox.queuedCounts["in"] ?? 0 < 3 { await Task.yield() }
        #expect(sent.load(ordering: .relaxed) <= 2)
        #expect(inbox.queuedCounts["in"] == 3)
        var received: [Int] = []
        while let input = await inbox.next() {
            if let number = value(input) { received.append(number) }
            #expect((inbox.queuedCounts["in"] ?? 0) <= 3, "memory stays bounded by capacity + one parked send")
        }
        await producer.value
        #expect(received == Array(0..<10))
    }

    @Test func roundRobinAcrossPinsSoNoInputStarves() async {
        let inbox = NodeInbox(endsWithNoPins: true)
        for pin in ["a", "b"] {
            inbox.addPin(pin, capacity: 8)
            inbox.addWriter(to: pin)
        }
        for index in 0..<4 {
            _ = await inbox.send(.text("a\(index)"), to: "a")
            _ = await inbox.send(.text("b\(index)"), to: "b")
        }
        var pins: [String] = []
        for _ in 0..<8 {
            if case .packet(let pin, _) = await inbox.next() { pins.append(pin) }
        }
        #expect(pins == ["a", "b", "a", "b", "a", "b", "a", "b"])
    }

    @Test func skippedPinsAreHeldBack() async {
        let inbox = NodeInbox(endsWithNoPins: true)
        for pin in ["a", "b"] {
            inbox.addPin(pin, capacity: 8)
            inbox.addWriter(to: pin)
        }
        _ = await inbox.send(.text("a"), to: "a")
        _ = await inbox.send(.text("b"), to: "b")
        guard case .packet(let first, _) = await inbox.next(skipping: ["a"]) else {
            Issue.record("expected a packet")
            return
        }
        #expect(first == "b")
        let timedOut = await inbox.next(skipping: ["a"], timeout: .milliseconds(20))
        guard case .timeout = timedOut else {
            Issue.record("expected a timeout while the only pin with data is skipped, got \(String(describing: timedOut))")
            return
        }
        guard case .packet(let second, _) = await inbox.next() else {
            Issue.record("expected a packet")
            return
        }
        #expect(second == "a")
    }

    @Test func bestEffortDropsWhenFull() async {
        let inbox = NodeInbox(endsWithNoPins: true)
        inbox.addPin("in", capacity: 2)
        #expect(inbox.trySend(packet(1), to: "in") == .delivered)
        #expect(inbox.trySend(packet(2), to: "in") == .delivered)
        #expect(inbox.trySend(packet(3), to: "in") == .dropped)
        #expect(inbox.queuedCounts["in"] == 2)
    }

    @Test func closeReleasesParkedProducers() async {
        let inbox = NodeInbox(endsWithNoPins: true)
        inbox.addPin("in", capacity: 1)
        inbox.addWriter(to: "in")
        _ = await inbox.send(packet(0), to: "in")
        let parked = Task { await inbox.send(packet(1), to: "in") }
        while inbox.queuedCounts["in"] ?? 0 < 2 { await Task.yield() }
        #expect(inbox.close() == 2)
        #expect(await parked.value == .closed)
        #expect(await inbox.send(packet(2), to: "in") == .closed)
    }

    @Test func cancellingAParkedProducerFreesIt() async {
        let inbox = NodeInbox(endsWithNoPins: true)
        inbox.addPin("in", capacity: 1)
        inbox.addWriter(to: "in")
        _ = await inbox.send(packet(0), to: "in")
        let parked = Task { await inbox.send(packet(1), to: "in") }
        while inbox.queuedCounts["in"] ?? 0 < 2 { await Task.yield() }
        parked.cancel()
        #expect(await parked.value == .closed)
        #expect(inbox.queuedCounts["in"] == 1)
    }

    @Test func paramsUpdatesOvertakeQueuedPackets() async {
        let inbox = NodeInbox(endsWithNoPins: true)
        inbox.addPin("in", capacity: 4)
        inbox.addWriter(to: "in")
        _ = await inbox.send(packet(0), to: "in")
        let answer = Mutex<Result<Void, StreamKitError>?>(nil)
        #expect(inbox.deliver(ParamsUpdate(params: ["gain": 2], kind: "k") { result in answer.withLock { $0 = result } }))
        guard case .paramsUpdate(let update) = await inbox.next() else {
            Issue.record("the update should come first")
            return
        }
        #expect(update.params["gain"]?.intValue == 2)
        update.accept()
        #expect(answer.withLock { $0.map { (try? $0.get()) != nil } } == true)
    }

    @Test func anUnansweredUpdateIsRejectedAutomatically() {
        let answer = Mutex<String?>(nil)
        do {
            _ = ParamsUpdate(params: [:], kind: "demo::kind") { result in
                if case .failure(let error) = result { answer.withLock { $0 = error.description } }
            }
        }
        #expect(answer.withLock { $0 }?.contains("demo::kind") == true)
    }

    @Test func shutdownEndsAWaitingConsumer() async {
        let inbox = NodeInbox(endsWithNoPins: false)
        inbox.addPin("in", capacity: 4)
        let consumer = Task { await inbox.next() }
        while !inbox.isConsumerWaiting { await Task.yield() }
        inbox.requestShutdown()
        #expect(await consumer.value == nil)
    }

    @Test func dynamicInboxWithNoPinsWaitsInsteadOfEnding() async {
        let inbox = NodeInbox(endsWithNoPins: false)
        let result = await inbox.next(timeout: .milliseconds(10))
        guard case .timeout = result else {
            Issue.record("a dynamic node with no pins yet must wait for links, got \(String(describing: result))")
            return
        }
        let oneshot = NodeInbox(endsWithNoPins: true)
        #expect(await oneshot.next() == nil)
    }

    @Test func reconnectingAnEndedPinReopensIt() async {
        let inbox = NodeInbox(endsWithNoPins: false)
        inbox.addPin("in", capacity: 4)
        inbox.addWriter(to: "in")
        inbox.writerFinished(on: "in")
        guard case .inputClosed = await inbox.next() else {
            Issue.record("expected inputClosed")
            return
        }
        inbox.addWriter(to: "in")
        _ = await inbox.send(packet(7), to: "in")
        #expect(value(await inbox.next()) == 7)
    }
}

