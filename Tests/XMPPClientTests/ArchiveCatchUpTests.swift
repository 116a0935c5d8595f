import Testing
import XMPPClient
import XMPPExtensions
import XMPPTesting

/// Catching up from the archive after a new session, on the wire: the last archive id seen is the cursor, what was
/// seen live is skipped, the result is raised.
@Suite("Archive catch-up", .timeLimit(.minutes(1)))
struct ArchiveCatchUpTests {
    @Test func theArchiveIsReadFromTheLastIDSeenAndWhatCameLiveIsSkipped() async throws {
        let catchUp = ArchiveCatchUpService(lastSeen: "a1")
        let (client, server) = try await scriptedClient(services: [catchUp], connect: false)
        let caught = Recorder<ArchiveCatchUp>()
        client.observe(ArchiveCatchUp.self) { caught.record($0) }
        async let connected: Void = server.connect(client, as: try JID(parsing: "juliet@example.com/balcony"))
        let query = try IQ(xml: try await server.nextSent())
        let mam = try #require(try query.payload(MAM.Query.self))
        #expect(mam.set?.after == "a1")
        let queryID = try #require(mam.queryid)
        // A live message with its archive id, then the archive's page with it and another.
        try await server.deliver(
            """
            <message from='romeo@example.net/orchard' to='juliet@example.com/balcony' id='live' type='chat'>\
            <body>live</body><stanza-id xmlns='urn:xmpp:sid:0' by='juliet@example.com' id='a3'/></message>
            """)
        func result(_ id: String, _ body: String) -> String {
            """
            <message from='juliet@example.com' to='juliet@example.com/balcony'><result xmlns='urn:xmpp:mam:2' \
            queryid='\(queryID)' id='\(id)'><forwarded xmlns='urn:xmpp:forward:0'>\
            <delay xmlns='urn:xmpp:delay' stamp='2026-12-03T12:00:00Z'/><message xmlns='jabber:client' \
            from='romeo@example.net/orchard' to='juliet@example.com' type='chat'><body>\(body)</body></message>\
            </forwarded></result></message>
            """
        }
        try await server.deliver(result("a2", "while away"), result("a3", "live"))
        try await server.deliver(
            """
            <iq type='result' id='\(query.id)'><fin xmlns='urn:xmpp:mam:2' complete='true'>\
            <set xmlns='http://jabber.org/protocol/rsm'><first>a2</first><last>a3</last></set></fin></iq>
            """)
        try await connected
        let event = try #require(await caught.next(1).first)
        #expect(event.messages.map(\.id) == ["a2"])
        #expect(event.messages.first?.message.body == "while away")
        #expect(event.isComplete)
        #expect(catchUp.lastSeen == "a3")
    }

    @Test func withNothingSeenThereIsNothingToCatchUp() async throws {
        let catchUp = ArchiveCatchUpService()
        let (client, server) = try await scriptedClient(services: [catchUp])
        try await client.send(Message.chat(to: try JID(parsing: "romeo@example.net"), body: "first"))
        // The first thing written is the message: no archive query.
        #expect(try await server.nextSent().name == Message.qualifiedName)
        #expect(catchUp.lastSeen == nil)
    }
}
