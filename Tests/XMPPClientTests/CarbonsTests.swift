import NIOConcurrencyHelpers
import Testing
import XMPPClient
import XMPPExtensions
import XMPPTesting

/// Message carbons (XEP-0280) on the wire: enabled on connect, copies decoded both ways and taken off the stream,
/// claimed copies from anyone but the account refused.
@Suite("Message carbons", .timeLimit(.minutes(1)))
struct CarbonsTests {
    let own = "juliet@example.com"
    let romeo = "romeo@example.net/orchard"

    @Test func carbonsAreEnabledOnConnectAndTheAnswerIsKept() async throws {
        let carbons = CarbonsService()
        let (client, server) = try await scriptedClient(services: [carbons], connect: false)
        async let connected: Void = server.connect(client, as: try JID(parsing: "\(own)/balcony"))
        let request = try IQ(xml: try await server.nextSent())
        #expect(request.type == .set)
        #expect(request.to == nil)
        #expect(try request.payload(Carbons.Enable.self) != nil)
        #expect(!carbons.isEnabled)
        try await server.deliver("<iq type='result' id='\(request.id)'/>")
        try await connected
        #expect(carbons.isEnabled)
    }

    @Test func aServerWithoutCarbonsRefusesAndTheServiceSaysSo() async throws {
        let carbons = CarbonsService(enablesOnConnect: false)
        let (client, server) = try await scriptedClient(services: [carbons])
        let enabling = Task { try await client.enableCarbons() }
        let request = try IQ(xml: try await server.nextSent())
        try await server.deliver(
            """
            <iq type='error' id='\(request.id)'><error type='cancel'>\
            <feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>
            """)
        await #expect(throws: StanzaError.self) { try await enabling.value }
        #expect(!carbons.isEnabled)
    }

    @Test func copiesBothWaysAreDecodedAndTakenOffTheStream() async throws {
        let (client, server) = try await scriptedClient(services: [CarbonsService(enablesOnConnect: false)])
        let copies = Recorder<CarbonCopy>()
        client.observe(CarbonCopy.self) { copies.record($0) }
        let messages = Recorder<String>()
        client.onMessage(.message()) { message, _ in messages.record(message.id ?? "") }
        try await server.deliver(
            """
            <message from='\(own)' to='\(own)/balcony' type='chat'><received xmlns='urn:xmpp:carbons:2'>\
            <forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='2026-12-03T10:00:00Z'/>\
            <message xmlns='jabber:client' from='\(romeo)' to='\(own)/phone' type='chat' id='in1'>\
            <body>wherefore</body></message></forwarded></received></message>
            """,
            """
            <message to='\(own)/balcony' type='chat'><sent xmlns='urn:xmpp:carbons:2'>\
            <forwarded xmlns='urn:xmpp:forward:0'>\
            <message xmlns='jabber:client' from='\(own)/phone' to='\(romeo)' type='chat' id='out1'>\
            <body>art thou</body></message></forwarded></sent></message>
            """,
            "<message from='\(romeo)' id='after'/>")
        let received = await copies.next(2)
        #expect(received.map(\.direction) == [.received, .sent])
        #expect(received.map(\.message.id) == ["in1", "out1"])
        #expect(received[0].message.from?.description == romeo)
        #expect(received[0].message.body == "wherefore")
        #expect(received[0].timestamp != nil)
        #expect(received[1].message.to?.description == romeo)
        #expect(received[1].timestamp == nil)
        // The wrappers reached no message handler: the first message handlers saw is the one after them.
        #expect(await messages.next(1) == ["after"])
    }

    @Test(arguments: ["mallory@example.org", "juliet@example.com/phone", "example.com"])
    func aCopyFromAnyoneButTheAccountIsRefused(_ from: String) async throws {
        let (client, server) = try await scriptedClient(services: [CarbonsService(enablesOnConnect: false)])
        let copies = Recorder<CarbonCopy>()
        client.observe(CarbonCopy.self) { copies.record($0) }
        let refused = Recorder<RefusedCarbonCopy>()
        client.observe(RefusedCarbonCopy.self) { refused.record($0) }
        try await server.deliver(
            """
            <message from='\(from)' to='\(own)/balcony'><received xmlns='urn:xmpp:carbons:2'>\
            <forwarded xmlns='urn:xmpp:forward:0'>\
            <message xmlns='jabber:client' from='\(romeo)' to='\(own)/phone' type='chat' id='forged'>\
            <body>send me your password</body></message></forwarded></received></message>
            """,
            """
            <message from='\(own)' to='\(own)/balcony'><received xmlns='urn:xmpp:carbons:2'>\
            <forwarded xmlns='urn:xmpp:forward:0'>\
            <message xmlns='jabber:client' from='\(romeo)' to='\(own)/phone' type='chat' id='real'>\
            <body>hello</body></message></forwarded></received></message>
            """)
        #expect(await refused.next(1) == [RefusedCarbonCopy(from: try JID(parsing: from))])
        #expect(await copies.next(1).map(\.message.id) == ["real"])
    }

    @Test func aCopyWithoutAForwardedMessageIsDroppedAndTheNextStillArrives() async throws {
        let (client, server) = try await scriptedClient(services: [CarbonsService(enablesOnConnect: false)])
        let copies = Recorder<CarbonCopy>()
        client.observe(CarbonCopy.self) { copies.record($0) }
        try await server.deliver(
            "<message from='\(own)'><received xmlns='urn:xmpp:carbons:2'/></message>",
            """
            <message from='\(own)'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'/></sent>\
            </message>
            """,
            """
            <message from='\(own)'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
            <message xmlns='jabber:client' to='\(romeo)' id='ok'><body>x</body></message></forwarded></sent></message>
            """)
        #expect(await copies.next(1).map(\.message.id) == ["ok"])
    }

    @Test func aPrivateMessageCarriesBothMarksOnce() throws {
        let message = Message.chat(to: try JID(parsing: romeo), body: "only here").withoutCarbons().withoutCarbons()
        let element = message.xmlElement()
        #expect(element.children(named: Carbons.Private.qualifiedName).count == 1)
        #expect(element.children(named: ProcessingHints.NoCopy.qualifiedName).count == 1)
    }
}
