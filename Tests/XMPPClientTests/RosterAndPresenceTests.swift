import Testing
import XMPPClient
import XMPPTesting

@Suite("Roster and presence services", .timeLimit(.minutes(1)))
struct RosterAndPresenceTests {
    let versioned =
        "<features xmlns='http://etherx.jabber.org/streams'><ver xmlns='urn:xmpp:features:rosterver'/></features>"

    @Test func aVersionedFetchSendsTheStoredVersionAndKeepsTheStoredRosterOnAnEmptyResult() async throws {
        let store = InMemoryRosterStore()
        let account = try JID(parsing: "juliet@example.com")
        await store.save(
            account: account, version: "v7",
            items: [Roster.Item(jid: try JID(parsing: "romeo@example.net"), name: "Romeo")])
        let roster = RosterService(store: store)
        let (client, server) = try await scriptedClient(services: [roster], connect: false)
        async let connected: Void = server.connect(
            client, as: try JID(parsing: "juliet@example.com/balcony"), streamFeatures: versioned)
        let fetch = try IQ(xml: try await server.nextSent())
        #expect(fetch.type == .get)
        #expect(try fetch.payload(Roster.Query.self)?.ver == "v7")
        try await server.deliver("<iq type='result' id='\(fetch.id)'/>")
        try await connected
        #expect(roster.items.map(\.name) == ["Romeo"])
        #expect(roster.version == "v7")
    }

    @Test func withoutVersioningTheFetchHasNoVersionAndTheResultReplacesTheRoster() async throws {
        let roster = RosterService()
        let (client, server) = try await scriptedClient(services: [roster], connect: false)
        async let connected: Void = server.connect(client, as: try JID(parsing: "juliet@example.com/balcony"))
        let fetch = try IQ(xml: try await server.nextSent())
        #expect(try fetch.payload(Roster.Query.self)?.ver == nil)
        try await server.deliver(
            "<iq type='result' id='\(fetch.id)'><query xmlns='jabber:iq:roster'><item jid='nurse@example.com' subscription='both'/></query></iq>"
        )
        try await connected
        #expect(roster.items.map(\.jid.description) == ["nurse@example.com"])
    }

    @Test func pushesAreAcceptedOnlyFromTheAccountOrItsServer() async throws {
        let roster = RosterService()
        let (client, server) = try await scriptedClient(services: [roster], connect: false)
        async let connected: Void = server.connect(client, as: try JID(parsing: "juliet@example.com/balcony"))
        let fetch = try IQ(xml: try await server.nextSent())
        try await server.deliver("<iq type='result' id='\(fetch.id)'><query xmlns='jabber:iq:roster'/></iq>")
        try await connected

        // A push from someone else: refused, roster unchanged (RFC 6121 §2.1.6).
        try await server.deliver(
            "<iq type='set' id='spoof' from='mallory@evil.example/x'><query xmlns='jabber:iq:roster'><item jid='mallory@evil.example' subscription='both'/></query></iq>"
        )
        let refusal = try IQ(xml: try await server.nextSent())
        #expect(refusal.id == "spoof")
        #expect(refusal.error?.condition == .serviceUnavailable)
        #expect(roster.items.isEmpty)

        // From the account's bare JID, without 'from', and from its server: accepted.
        let updates = client.events(of: RosterEvent.self)
        try await server.deliver(
            "<iq type='set' id='p1' from='juliet@example.com'><query xmlns='jabber:iq:roster' ver='v1'><item jid='romeo@example.net' name='Romeo' subscription='to'/></query></iq>",
            "<iq type='set' id='p2'><query xmlns='jabber:iq:roster' ver='v2'><item jid='nurse@example.com'/></query></iq>",
            "<iq type='set' id='p3' from='example.com'><query xmlns='jabber:iq:roster' ver='v3'><item jid='nurse@example.com' subscription='remove'/></query></iq>"
        )
        var acknowledged: Set<String> = []
        for _ in 0..<3 {
            let ack = try IQ(xml: try await server.nextSent())
            #expect(ack.type == .result)
            acknowledged.insert(ack.id)
        }
        #expect(acknowledged == ["p1", "p2", "p3"])
        var seen: [RosterEvent] = []
        for await event in updates {
            seen.append(event)
            if seen.count == 3 { break }
        }
        #expect(seen.last == .removed(try JID(parsing: "nurse@example.com")))
        #expect(roster.items.map(\.jid.description) == ["romeo@example.net"])
        #expect(roster.item(for: try JID(parsing: "romeo@example.net/any"))?.subscription == .to)
        #expect(roster.version == "v3")
    }

    @Test func presenceOfSeveralResourcesAndTheMostAvailable() async throws {
        let presence = PresenceService(availability: nil)
        let (client, server) = try await scriptedClient(services: [presence])
        let changes = client.events(of: PresenceChanged.self)
        try await server.deliver(
            "<presence from='romeo@example.net/a'><show>away</show><priority>1</priority></presence>",
            "<presence from='romeo@example.net/b'><show>chat</show><priority>1</priority></presence>",
            "<presence from='romeo@example.net/c'/>")
        var count = 0
        for await _ in changes {
            count += 1
            if count == 3 { break }
        }
        let romeo = try JID(parsing: "romeo@example.net")
        #expect(presence.presences(of: romeo).count == 3)
        #expect(presence.mostAvailable(of: romeo)?.from?.resourcepart == "b")
        let more = client.events(of: PresenceChanged.self)
        try await server.deliver("<presence type='unavailable' from='romeo@example.net/b'/>")
        for await change in more {
            #expect(change.presence == nil)
            break
        }
        #expect(presence.mostAvailable(of: romeo)?.from?.resourcepart == "a")
        #expect(presence.presences(of: romeo).count == 2)
    }

    @Test func initialPresenceAndAvailabilityChangesAreSent() async throws {
        let presence = PresenceService(availability: .away("in the garden"))
        let (client, server) = try await scriptedClient(services: [presence])
        let initial = try Presence(xml: try await server.nextSent())
        #expect(initial.type == nil)
        #expect(initial.show == .away)
        #expect(initial.statuses.first?.value == "in the garden")
        client.presence.availability = Availability(show: .dnd, status: "busy", priority: 5)
        let changed = try Presence(xml: try await server.nextSent())
        #expect(changed.show == .dnd && changed.priority == 5)
        client.presence.availability = nil
        #expect(try Presence(xml: try await server.nextSent()).type == .unavailable)
    }

    @Test func subscriptionRequestsFollowThePolicy() async throws {
        let (_, approving) = try await scriptedClient(services: [
            PresenceService(availability: nil, policy: .approveAll)
        ])
        try await approving.deliver("<presence type='subscribe' from='nurse@example.com'/>")
        let approval = try Presence(xml: try await approving.nextSent())
        #expect(approval.type == .subscribed)
        #expect(approval.to?.description == "nurse@example.com")

        let (client, asking) = try await scriptedClient(services: [PresenceService(availability: nil)])
        let requests = client.events(of: SubscriptionRequest.self)
        try await asking.deliver("<presence type='subscribe' from='nurse@example.com/x'/>")
        for await request in requests {
            #expect(request.from.description == "nurse@example.com")
            break
        }
        try await client.denySubscription(from: try JID(parsing: "nurse@example.com"))
        #expect(try Presence(xml: try await asking.nextSent()).type == .unsubscribed)
        // Pre-approval needs the server's feature.
        await #expect(throws: XMPPClientError.self) {
            try await client.preApproveSubscription(from: try JID(parsing: "tybalt@example.com"))
        }
    }
}
