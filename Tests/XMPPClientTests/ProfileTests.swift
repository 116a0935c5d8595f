import Testing
import XMPPClient
import XMPPExtensions
import XMPPTesting

/// vCards (XEP-0054), last activity (XEP-0012), /me (XEP-0245) and private PEP data (XEP-0223) on the wire.
@Suite("Profiles and small conveniences", .timeLimit(.minutes(1)))
struct ProfileTests {
    @Test func aContactsVCardIsReadFromTheirBareJIDAndAnEmptyOneIsNone() async throws {
        let (client, server) = try await scriptedClient()
        async let card = client.vCard(of: try JID(parsing: "romeo@example.net/orchard"))
        let request = try IQ(xml: try await server.nextSent())
        #expect(request.type == .get)
        #expect(request.to?.description == "romeo@example.net")
        try await server.deliver(
            """
            <iq type='result' id='\(request.id)' from='romeo@example.net'><vCard xmlns='vcard-temp'>\
            <FN>Romeo Montague</FN><NICKNAME>romeo</NICKNAME><PHOTO><TYPE>image/png</TYPE><BINVAL>AAEC</BINVAL></PHOTO>\
            </vCard></iq>
            """)
        let read = try #require(try await card)
        #expect(read.fullName == "Romeo Montague")
        #expect(read.nickname == "romeo")
        #expect(read.photo?.type == "image/png")
        #expect(read.photo?.binval == [0, 1, 2])

        async let none = client.vCard()
        let own = try IQ(xml: try await server.nextSent())
        #expect(own.to == nil)
        try await server.deliver("<iq type='result' id='\(own.id)'><vCard xmlns='vcard-temp'/></iq>")
        #expect(try await none == nil)
    }

    @Test func settingTheVCardSendsTheWholeCard() async throws {
        let (client, server) = try await scriptedClient()
        var card = VCardTemp.VCard()
        card.fullName = "Juliet"
        card.fullName = "Juliet Capulet"
        card.nickname = "jules"
        card.nickname = nil
        #expect(card.choices.count == 1)
        async let set: Void = client.setVCard(card)
        let request = try IQ(xml: try await server.nextSent())
        #expect(request.type == .set)
        #expect(try request.payload(VCardTemp.VCard.self)?.fullName == "Juliet Capulet")
        try await server.deliver("<iq type='result' id='\(request.id)'/>")
        try await set
    }

    @Test func lastActivityGivesTheSecondsAndTheStatus() async throws {
        let (client, server) = try await scriptedClient()
        async let activity = client.lastActivity(of: try JID(parsing: "romeo@example.net"))
        let request = try IQ(xml: try await server.nextSent())
        try await server.deliver(
            """
            <iq type='result' id='\(request.id)' from='romeo@example.net'>\
            <query xmlns='jabber:iq:last' seconds='903'>Heading home</query></iq>
            """)
        #expect(try await activity == LastActivityReport(seconds: 903, status: "Heading home"))
    }

    @Test func meActionsAndPrivateData() async throws {
        let romeo = try JID(parsing: "romeo@example.net")
        #expect(Message.chat(to: romeo, body: "/me waves").meAction == "waves")
        #expect(Message.chat(to: romeo, body: "/meow").meAction == nil)
        let (client, server) = try await scriptedClient()
        async let published = client.publishPrivately(Ping.Ping(), to: "urn:example:settings")
        let request = try IQ(xml: try await server.nextSent())
        let body = try #require(try request.payload(PubSub.Pubsub.self))
        #expect(body.publish?.items.first?.id == "current")
        #expect(
            body.publishOptions?.x?.fields.contains { $0.var == "pubsub#access_model" && $0.values == ["whitelist"] }
                == true)
        try await server.deliver("<iq type='result' id='\(request.id)'/>")
        #expect(try await published == "current")
    }
}
