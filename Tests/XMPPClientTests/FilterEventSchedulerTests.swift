import NIOConcurrencyHelpers
import Testing
import XMPPClient
import XMPPTesting

@Suite("Filters, events and scheduled work", .timeLimit(.minutes(1)))
struct FilterEventSchedulerTests {
    @Test func inboundFiltersRunInOrderAndCanChangeOrDrop() async throws {
        let (client, server) = try await scriptedClient()
        let seen = NIOLockedValueBox<[String]>([])
        client.addInboundFilter { stanza in
            seen.withLockedValue { $0.append("first \(stanza["id"] ?? "")") }
            return stanza["id"] == "drop" ? nil : stanza
        }
        client.addInboundFilter { stanza in
            seen.withLockedValue { $0.append("second \(stanza["id"] ?? "")") }
            var changed = stanza
            changed.children.append(.element(XMLElement("seen", namespace: "urn:example:filter")))
            return changed
        }
        let recorder = Recorder<String>()
        client.on(.any) { stanza, _ in
            let marked = stanza.firstChild("seen", namespace: "urn:example:filter") != nil
            recorder.record("\(stanza["id"] ?? "") \(marked)")
        }
        try await server.deliver("<message id='drop'/>", "<message id='keep'/>")
        #expect(await recorder.next(1) == ["keep true"])
        #expect(seen.withLockedValue { $0 } == ["first drop", "first keep", "second keep"])
    }

    @Test func outboundFiltersRunInOrderAndCanChangeOrDrop() async throws {
        let (client, server) = try await scriptedClient()
        client.addOutboundFilter { stanza in stanza["id"] == "secret" ? nil : stanza }
        client.addOutboundFilter { stanza in
            var changed = stanza
            changed.children.append(.element(XMLElement("stamp", namespace: "urn:example:filter")))
            return changed
        }
        try await client.send(Message(id: "secret"))
        try await client.send(Message(id: "public"))
        let sent = try await server.nextSent()
        #expect(sent["id"] == "public")
        #expect(sent.firstChild("stamp", namespace: "urn:example:filter") != nil)
    }

    struct Alarm: Sendable, Equatable {
        var level: Int
    }

    @Test func applicationEventsReachObserversInOrderAndWaiters() async throws {
        let clock = TestClock()
        let (client, _) = try await scriptedClient(clock: clock)
        let seen = NIOLockedValueBox<[String]>([])
        client.observe(Alarm.self) { alarm in seen.withLockedValue { $0.append("a\(alarm.level)") } }
        let token = client.observe(Alarm.self) { alarm in seen.withLockedValue { $0.append("b\(alarm.level)") } }
        client.raise(Alarm(level: 1))
        client.remove(token)
        client.raise(Alarm(level: 2))
        client.raise("not an alarm")
        #expect(seen.withLockedValue { $0 } == ["a1", "b1", "a2"])

        async let loud = client.next(Alarm.self, timeout: .seconds(5)) { $0.level > 5 }
        await clock.waitForSleepers(1)
        client.raise(Alarm(level: 3))
        client.raise(Alarm(level: 9))
        #expect(try await loud == Alarm(level: 9))
    }

    @Test func waitingForAnEventTimesOutOnTheClientsClock() async throws {
        let clock = TestClock()
        let (client, _) = try await scriptedClient(clock: clock)
        async let never = client.next(Alarm.self, timeout: .seconds(5))
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(5))
        do {
            _ = try await never
            Issue.record("an event arrived that nobody raised")
        } catch let error as XMPPClientError {
            #expect(error.code == .timeout)
        }
    }

    @Test func scheduledWorkRunsOnTheClockAndCanBeCancelledOrReplaced() async throws {
        let clock = TestClock()
        let (client, _) = try await scriptedClient(clock: clock)
        let recorder = Recorder<String>()
        client.schedule("once", after: .seconds(10)) { _ in recorder.record("once") }
        client.schedule("tick", after: .seconds(3), repeating: true) { _ in recorder.record("tick") }
        await clock.waitForSleepers(2)
        #expect(Set(client.scheduledTasks) == ["once", "tick"])
        clock.advance(by: .seconds(3))
        #expect(await recorder.next(1) == ["tick"])
        await clock.waitForSleepers(2)
        clock.advance(by: .seconds(3))
        #expect(await recorder.next(1) == ["tick"])
        await clock.waitForSleepers(2)
        client.cancelScheduled("tick")
        #expect(client.scheduledTasks == ["once"])
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(4))
        #expect(await recorder.next(1) == ["once"])

        // Scheduling a name again replaces the earlier task.
        client.schedule("job", after: .seconds(5)) { _ in recorder.record("old") }
        await clock.waitForSleepers(1)
        client.schedule("job", after: .seconds(1)) { _ in recorder.record("new") }
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(10))
        #expect(await recorder.next(1) == ["new"])
        #expect(clock.sleeperCount == 0)
    }

    @Test func lifecycleEventsArriveInOrder() async throws {
        let (client, server) = try await scriptedClient(connect: false)
        let events = client.events
        try await server.connect(client, as: try JID(parsing: "juliet@example.com/balcony"))
        try await server.close()
        var seen: [ConnectionEvent] = []
        for await event in events {
            seen.append(event)
            if case .disconnected = event { break }
        }
        // The server closed it, not the application: the event says so.
        #expect(
            seen == [
                .bound(try JID(parsing: "juliet@example.com/balcony")), .disconnected(reason: "the connection closed"),
            ])
    }
}
