import Testing
import XMPPClient
import XMPPExtensions
import XMPPTesting

/// Blocking (XEP-0191) and client state indication (XEP-0352) on the wire.
@Suite("Blocking and client state", .timeLimit(.minutes(1)))
struct BlockingAndStateTests {
    let blocking = "urn:xmpp:blocking"

    /// A client with a blocking service whose list (read on connecting) holds `initial`.
    func connected(_ initial: [String]) async throws -> (XMPPClient, ScriptedServer, BlockingService) {
        let service = BlockingService()
        let (client, server) = try await scriptedClient(services: [service], connect: false)
        async let connected: Void = server.connect(client, as: try JID(parsing: "juliet@example.com/balcony"))
        let fetch = try IQ(xml: try await server.nextSent())
        #expect(fetch.type == .get)
        #expect(try fetch.payload(Blocking.Blocklist.self) != nil)
        let items = initial.map { "<item jid='\($0)'/>" }.joined()
        try await server.deliver(
            "<iq type='result' id='\(fetch.id)'><blocklist xmlns='\(blocking)'>\(items)</blocklist></iq>")
        try await connected
        return (client, server, service)
    }

    @Test func theListIsReadOnConnectingAndFollowsOurChanges() async throws {
        let (client, server, service) = try await connected(["spam@example.org", "example.net"])
        #expect(service.isAvailable)
        #expect(service.blocklist == [try JID(parsing: "spam@example.org"), try JID(parsing: "example.net")])

        async let blocked: Void = client.block([try JID(parsing: "tybalt@example.com")])
        let block = try IQ(xml: try await server.nextSent())
        #expect(block.type == .set)
        #expect(try block.payload(Blocking.Block.self)?.items.map(\.jid.description) == ["tybalt@example.com"])
        try await server.deliver("<iq type='result' id='\(block.id)'/>")
        try await blocked
        #expect(service.blocklist.contains(try JID(parsing: "tybalt@example.com")))

        async let unblocked: Void = client.unblockAll()
        let unblock = try IQ(xml: try await server.nextSent())
        #expect(try unblock.payload(Blocking.Unblock.self)?.items.isEmpty == true)
        try await server.deliver("<iq type='result' id='\(unblock.id)'/>")
        try await unblocked
        #expect(service.blocklist.isEmpty)
    }

    @Test func pushesFromTheAccountApplyAndOthersAreRefused() async throws {
        let (client, server, service) = try await connected([])
        let changes = Recorder<BlocklistChanged>()
        client.observe(BlocklistChanged.self) { changes.record($0) }
        try await server.deliver(
            "<iq type='set' id='p1' from='mallory@example.org/x'><block xmlns='\(blocking)'><item jid='juliet@example.com'/></block></iq>"
        )
        let refusal = try IQ(xml: try await server.nextSent())
        #expect(refusal.type == .error)
        #expect(refusal.id == "p1")
        try await server.deliver(
            "<iq type='set' id='p2' from='juliet@example.com'><block xmlns='\(blocking)'><item jid='spam@example.org'/></block></iq>"
        )
        let accepted = try IQ(xml: try await server.nextSent())
        #expect(accepted.type == .result && accepted.id == "p2")
        #expect(await changes.next(1) == [BlocklistChanged(blocked: [try JID(parsing: "spam@example.org")])])
        #expect(service.blocklist == [try JID(parsing: "spam@example.org")])
        try await server.deliver("<iq type='set' id='p3'><unblock xmlns='\(blocking)'/></iq>")
        _ = try await server.nextSent()
        #expect(await changes.next(1) == [BlocklistChanged(unblockedAll: true)])
        #expect(service.blocklist.isEmpty)
    }

    @Test func aServerWithoutBlockingLeavesTheServiceUnavailable() async throws {
        let service = BlockingService()
        let (client, server) = try await scriptedClient(services: [service], connect: false)
        async let connected: Void = server.connect(client, as: try JID(parsing: "juliet@example.com/balcony"))
        let fetch = try IQ(xml: try await server.nextSent())
        try await server.deliver(
            """
            <iq type='error' id='\(fetch.id)'><error type='cancel'>\
            <service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>
            """)
        try await connected
        #expect(!service.isAvailable)
        await #expect(throws: XMPPClientError.self) { try await client.block([]) }
    }

    @Test func theStateIsSentOnlyWhereTheServerOffersIt() async throws {
        let offered = ClientStateService()
        let (_, server) = try await scriptedClient(
            services: [offered],
            streamFeatures:
                "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><csi xmlns='urn:xmpp:csi:0'/></stream:features>"
        )
        #expect(offered.isOffered)
        try await offered.setActive(false)
        try await offered.setActive(false)  // no change: nothing sent
        try await offered.setActive(true)
        #expect(try await server.nextSent().name == CSI.Inactive.qualifiedName)
        #expect(try await server.nextSent().name == CSI.Active.qualifiedName)

        let notOffered = ClientStateService()
        let (client, bare) = try await scriptedClient(services: [notOffered])
        #expect(!notOffered.isOffered)
        try await notOffered.setActive(false)
        #expect(!notOffered.isActive)
        try await client.send(Message.chat(to: try JID(parsing: "romeo@example.net"), body: "marker"))
        #expect(try await bare.nextSent().name == Message.qualifiedName)
    }
}
