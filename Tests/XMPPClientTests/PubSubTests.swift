import Testing
import XMPPClient
import XMPPExtensions
import XMPPTesting

/// Publish-subscribe, PEP and bookmarks on the wire: the requests, the notifications (and whom they are taken
/// from), the bookmarks kept in step.
@Suite("Publish-subscribe and bookmarks", .timeLimit(.minutes(1)))
struct PubSubTests {
    let pubsub = "http://jabber.org/protocol/pubsub"
    let event = "http://jabber.org/protocol/pubsub#event"

    @Test func publishingSendsTheItemAndItsOptionsAndReturnsTheServicesID() async throws {
        let (client, server) = try await scriptedClient(services: [PubSubService()])
        async let published = client.publish(
            Ping.Ping(), to: "urn:example:node", options: ["pubsub#access_model": ["presence"]])
        let request = try IQ(xml: try await server.nextSent())
        #expect(request.type == .set)
        #expect(request.to == nil)
        let body = try #require(try request.payload(PubSub.Pubsub.self))
        #expect(body.publish?.node == "urn:example:node")
        #expect(body.publish?.items.first?.payloads.first?.name == Ping.Ping.qualifiedName)
        let fields = body.publishOptions?.x?.fields ?? []
        #expect(fields.first?.var == "FORM_TYPE")
        #expect(fields.first?.values == ["http://jabber.org/protocol/pubsub#publish-options"])
        #expect(fields.contains { $0.var == "pubsub#access_model" && $0.values == ["presence"] })
        try await server.deliver(
            """
            <iq type='result' id='\(request.id)'><pubsub xmlns='\(pubsub)'><publish node='urn:example:node'>\
            <item id='service-id-1'/></publish></pubsub></iq>
            """)
        #expect(try await published == "service-id-1")
    }

    @Test func itemsAreReadAndDecodedByType() async throws {
        let (client, server) = try await scriptedClient(services: [PubSubService()])
        let romeo = try JID(parsing: "romeo@example.net")
        async let read = client.items(of: "urn:example:node", on: romeo, maximum: 2)
        let request = try IQ(xml: try await server.nextSent())
        #expect(request.to == romeo)
        #expect(try request.payload(PubSub.Pubsub.self)?.items?.maxItems == 2)
        try await server.deliver(
            """
            <iq type='result' from='romeo@example.net' id='\(request.id)'><pubsub xmlns='\(pubsub)'>\
            <items node='urn:example:node'><item id='a'><ping xmlns='urn:xmpp:ping'/></item>\
            <item id='b'><other xmlns='urn:example'/></item></items></pubsub></iq>
            """)
        let items = try await read
        #expect(items.map(\.id) == ["a", "b"])
        #expect(try items[0].payload(Ping.Ping.self) != nil)
        #expect(try items[1].payload(Ping.Ping.self) == nil)
    }

    @Test func notificationsFromAServiceOrABareJIDAreRaisedAndFromAFullJIDNot() async throws {
        let (client, server) = try await scriptedClient(services: [PubSubService(interests: ["urn:example:node"])])
        let news = Recorder<PubSubNotification>()
        client.observe(PubSubNotification.self) { news.record($0) }
        try await server.deliver(
            """
            <message from='mallory@example.org/x'><event xmlns='\(event)'><items node='urn:example:node'>\
            <item id='forged'><ping xmlns='urn:xmpp:ping'/></item></items></event></message>
            """,
            """
            <message from='romeo@example.net'><event xmlns='\(event)'><items node='urn:example:node'>\
            <item id='i1' publisher='romeo@example.net/orchard'><ping xmlns='urn:xmpp:ping'/></item></items></event>\
            <delay xmlns='urn:xmpp:delay' stamp='2026-12-03T11:00:00Z'/></message>
            """,
            """
            <message from='pubsub.example.com'><event xmlns='\(event)'><items node='news'><retract id='i0'/></items>\
            </event></message>
            """,
            "<message from='pubsub.example.com'><event xmlns='\(event)'><delete node='news'/></event></message>")
        let received = await news.next(3)
        #expect(
            received.map(\.service.description) == ["romeo@example.net", "pubsub.example.com", "pubsub.example.com"])
        #expect(received[0].payloads(Ping.Ping.self).count == 1)
        #expect(received[0].timestamp?.description == "2026-12-03T11:00:00Z")
        guard case .published(let items) = received[0].change else {
            Issue.record("expected items, got \(received[0].change)")
            return
        }
        #expect(items.first?.publisher?.description == "romeo@example.net/orchard")
        #expect(received[1].change == .retracted(["i0"]))
        #expect(received[2].change == .deleted)
        #expect(PubSubService(interests: ["urn:example:node"]).features == ["urn:example:node+notify"])
    }

    @Test func bookmarksAreReadOnConnectingAndFollowTheAccountsNotificationsOnly() async throws {
        let bookmarks = BookmarksService()
        let (client, server) = try await scriptedClient(services: [PubSubService(), bookmarks], connect: false)
        async let connected: Void = server.connect(client, as: try JID(parsing: "juliet@example.com/balcony"))
        let read = try IQ(xml: try await server.nextSent())
        #expect(try read.payload(PubSub.Pubsub.self)?.items?.node == "urn:xmpp:bookmarks:1")
        try await server.deliver(
            """
            <iq type='result' id='\(read.id)'><pubsub xmlns='\(pubsub)'><items node='urn:xmpp:bookmarks:1'>\
            <item id='garden@rooms.example.com'><conference xmlns='urn:xmpp:bookmarks:1' name='Garden' \
            autojoin='true'><nick>juliet</nick></conference></item></items></pubsub></iq>
            """)
        try await connected
        let garden = try JID(parsing: "garden@rooms.example.com")
        #expect(bookmarks.bookmarks[garden]?.name == "Garden")
        #expect(bookmarks.bookmarks[garden]?.nick == "juliet")
        #expect(bookmarks.bookmarks[garden]?.autojoin == true)

        let changes = Recorder<BookmarksChanged>()
        client.observe(BookmarksChanged.self) { changes.record($0) }
        try await server.deliver(
            """
            <message from='mallory@example.org'><event xmlns='\(event)'><items node='urn:xmpp:bookmarks:1'>\
            <item id='trap@rooms.example.org'><conference xmlns='urn:xmpp:bookmarks:1' autojoin='true'/></item>\
            </items></event></message>
            """,
            """
            <message from='juliet@example.com'><event xmlns='\(event)'><items node='urn:xmpp:bookmarks:1'>\
            <item id='orchard@rooms.example.com'><conference xmlns='urn:xmpp:bookmarks:1'/></item></items></event>\
            </message>
            """,
            """
            <message from='juliet@example.com'><event xmlns='\(event)'><items node='urn:xmpp:bookmarks:1'>\
            <retract id='garden@rooms.example.com'/></items></event></message>
            """)
        let seen = await changes.next(2)
        #expect(
            Set(seen[0].bookmarks.keys.map(\.description)) == ["garden@rooms.example.com", "orchard@rooms.example.com"])
        #expect(Set(seen[1].bookmarks.keys.map(\.description)) == ["orchard@rooms.example.com"])
        #expect(Set(bookmarks.bookmarks.keys.map(\.description)) == ["orchard@rooms.example.com"])
    }

    @Test func addingABookmarkPublishesItPrivately() async throws {
        let bookmarks = BookmarksService()
        let (client, server) = try await scriptedClient(services: [PubSubService(), bookmarks], connect: false)
        async let connected: Void = server.connect(client, as: try JID(parsing: "juliet@example.com/balcony"))
        let read = try IQ(xml: try await server.nextSent())
        try await server.deliver(
            """
            <iq type='error' id='\(read.id)'><error type='cancel'>\
            <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>
            """)
        try await connected
        #expect(bookmarks.bookmarks.isEmpty)
        async let added: Void = bookmarks.add(try JID(parsing: "garden@rooms.example.com/ignored"), name: "Garden")
        let publish = try IQ(xml: try await server.nextSent())
        let body = try #require(try publish.payload(PubSub.Pubsub.self))
        #expect(body.publish?.items.first?.id == "garden@rooms.example.com")
        let options = body.publishOptions?.x?.fields ?? []
        #expect(options.contains { $0.var == "pubsub#access_model" && $0.values == ["whitelist"] })
        #expect(options.contains { $0.var == "pubsub#max_items" && $0.values == ["max"] })
        try await server.deliver("<iq type='result' id='\(publish.id)'/>")
        try await added
        #expect(bookmarks.bookmarks.keys.map(\.description) == ["garden@rooms.example.com"])
    }

    @Test func aServerThatRefusesAnOptionGetsTheEssentialOnesButNeverLessPrivacy() async throws {
        let bookmarks = BookmarksService()
        let (client, server) = try await scriptedClient(services: [PubSubService(), bookmarks], connect: false)
        async let connected: Void = server.connect(client, as: try JID(parsing: "juliet@example.com/balcony"))
        let read = try IQ(xml: try await server.nextSent())
        try await server.deliver("<iq type='result' id='\(read.id)'/>")
        try await connected
        async let added: Void = bookmarks.add(try JID(parsing: "garden@rooms.example.com"))
        let first = try IQ(xml: try await server.nextSent())
        try await server.deliver(
            """
            <iq type='error' id='\(first.id)'><error type='wait'>\
            <resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
            <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Unknown field 'pubsub#max_items'</text></error></iq>
            """)
        let second = try IQ(xml: try await server.nextSent())
        let fields = try #require(try second.payload(PubSub.Pubsub.self)?.publishOptions?.x?.fields)
        #expect(fields.compactMap(\.var).sorted() == ["FORM_TYPE", "pubsub#access_model", "pubsub#persist_items"])
        #expect(fields.contains { $0.var == "pubsub#access_model" && $0.values == ["whitelist"] })
        try await server.deliver("<iq type='result' id='\(second.id)'/>")
        try await added
        #expect(bookmarks.bookmarks.count == 1)
    }
}
