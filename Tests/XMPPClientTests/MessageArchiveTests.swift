import NIOConcurrencyHelpers
import Testing
import XMPPClient
import XMPPExtensions
import XMPPTesting

/// The exact wire behaviour of archive queries (XEP-0313 with RSM paging), and archives that answer wrongly.
@Suite("Message archive queries", .timeLimit(.minutes(1)))
struct MessageArchiveTests {
    /// The query the client sent: its IQ, its `<query/>`, the form's fields and the RSM set.
    struct SentQuery {
        let iq: IQ
        let query: MAM.Query
        var queryID: String { query.queryid ?? "" }
        func field(_ name: String) -> [String]? { query.x?.fields.first { $0.var == name }?.values }

        init(_ element: XMLElement) throws {
            iq = try IQ(xml: element)
            query = try #require(try iq.payload(MAM.Query.self))
        }
    }

    func result(_ queryID: String, id: String, body: String, from: String? = nil) -> String {
        let attribute = from.map { " from='\($0)'" } ?? ""
        return
            "<message\(attribute) to='juliet@example.com/balcony'><result xmlns='urn:xmpp:mam:2' queryid='\(queryID)' "
            + "id='\(id)'><forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' "
            + "stamp='2026-12-01T10:00:00Z'/><message xmlns='jabber:client' from='romeo@example.net/orchard' "
            + "to='juliet@example.com/balcony' type='chat' id='m-\(id)'><body>\(body)</body></message></forwarded>"
            + "</result></message>"
    }

    func fin(_ iq: IQ, first: String?, last: String?, complete: Bool = false) -> String {
        let from = iq.to.map { " from='\($0)'" } ?? ""
        let set =
            (first.map { "<first>\($0)</first>" } ?? "") + (last.map { "<last>\($0)</last>" } ?? "")
        return
            "<iq type='result'\(from) id='\(iq.id)'><fin xmlns='urn:xmpp:mam:2'\(complete ? " complete='true'" : "")>"
            + "<set xmlns='http://jabber.org/protocol/rsm'>\(set)</set></fin></iq>"
    }

    /// Reads the whole sequence in a task of its own.
    func read(
        _ client: XMPPClient, in archive: JID? = nil, _ query: ArchiveQuery
    ) -> Task<[ArchivedMessage], any Error> {
        Task {
            var messages: [ArchivedMessage] = []
            for try await message in client.archivedMessages(in: archive, matching: query) { messages.append(message) }
            return messages
        }
    }

    @Test func pagesForwardAndKeepsOnlyTheArchivesResults() async throws {
        let (client, server) = try await scriptedClient()
        let seen = NIOLockedValueBox<[String]>([])
        client.onMessage { message, _ in seen.withLockedValue { $0.append(message.from?.description ?? "-") } }
        let romeo = try JID(parsing: "romeo@example.net")
        let reading = read(client, ArchiveQuery(with: romeo, pageSize: 2))

        let first = try SentQuery(try await server.nextSent())
        #expect(first.iq.type == .set)
        #expect(first.iq.to == nil)
        #expect(first.field("FORM_TYPE") == ["urn:xmpp:mam:2"])
        #expect(first.field("with") == ["romeo@example.net"])
        #expect(first.query.x?.type == .submit)
        #expect(first.query.set?.max == 2)
        #expect(first.query.set?.after == nil)
        try await server.deliver(
            result(first.queryID, id: "a", body: "one"),
            // Someone else's forgery with the right query id: not a result, an ordinary message.
            result(first.queryID, id: "forged", body: "fake", from: "mallory@example.org"),
            result(first.queryID, id: "b", body: "two", from: "juliet@example.com"),
            fin(first.iq, first: "a", last: "b"))

        let second = try SentQuery(try await server.nextSent())
        #expect(second.queryID != first.queryID)
        #expect(second.query.set?.after == "b")
        try await server.deliver(
            result(second.queryID, id: "c", body: "three"), fin(second.iq, first: "c", last: "c", complete: true))

        let messages = try await reading.value
        #expect(messages.map(\.id) == ["a", "b", "c"])
        #expect(messages.map { $0.message.body } == ["one", "two", "three"])
        #expect(messages.map { $0.message.id } == ["m-a", "m-b", "m-c"])
        #expect(messages.allSatisfy { $0.archive.description == "juliet@example.com" })
        #expect(messages.first?.timestamp?.xmlValue == "2026-12-01T10:00:00Z")
        // Handlers saw the forgery and none of the results.
        #expect(seen.withLockedValue { $0 } == ["mallory@example.org"])
    }

    @Test func newestFirstPagesBackFromTheEnd() async throws {
        let (client, server) = try await scriptedClient()
        let room = try JID(parsing: "coven@chat.example.com")
        let reading = read(client, in: room, ArchiveQuery(order: .newestFirst, pageSize: 2))
        let first = try SentQuery(try await server.nextSent())
        #expect(first.iq.to == room)
        #expect(first.query.set?.before == "")
        try await server.deliver(
            result(first.queryID, id: "y", body: "y", from: "coven@chat.example.com"),
            result(first.queryID, id: "z", body: "z", from: "coven@chat.example.com"),
            // From the user's own archive, not the room's: not a result of this query.
            result(first.queryID, id: "own", body: "own"),
            fin(first.iq, first: "y", last: "z"))
        let second = try SentQuery(try await server.nextSent())
        #expect(second.query.set?.before == "y")
        try await server.deliver(
            result(second.queryID, id: "x", body: "x", from: "coven@chat.example.com"),
            fin(second.iq, first: "x", last: "x", complete: true))
        #expect(try await reading.value.map(\.id) == ["z", "y", "x"])
    }

    @Test func aPageLargerThanAskedForIsRefused() async throws {
        let (client, server) = try await scriptedClient()
        let reading = read(client, ArchiveQuery(pageSize: 2))
        let first = try SentQuery(try await server.nextSent())
        try await server.deliver(
            result(first.queryID, id: "1", body: "1"), result(first.queryID, id: "2", body: "2"),
            result(first.queryID, id: "3", body: "3"), fin(first.iq, first: "1", last: "3"))
        let error = try await #require(throws: ArchiveError.self) { try await reading.value }
        #expect(error.code == .pageTooLarge)
        #expect(error.description == "the archive sent more than the 2 messages asked for")
    }

    @Test func anArchiveThatGivesTheSameCursorTwiceIsStopped() async throws {
        let (client, server) = try await scriptedClient()
        let reading = read(client, ArchiveQuery(pageSize: 1))
        for _ in 0..<2 {
            let query = try SentQuery(try await server.nextSent())
            try await server.deliver(result(query.queryID, id: "1", body: "1"), fin(query.iq, first: "1", last: "1"))
        }
        let error = try await #require(throws: ArchiveError.self) { try await reading.value }
        #expect(error.code == .pageLoop)
    }

    @Test func anErrorReplyEndsTheSequenceWithIt() async throws {
        let (client, server) = try await scriptedClient()
        let reading = read(client, ArchiveQuery())
        let query = try SentQuery(try await server.nextSent())
        try await server.deliver(
            "<iq type='error' id='\(query.iq.id)'><error type='cancel'><feature-not-implemented "
                + "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
        let error = try await #require(throws: StanzaError.self) { try await reading.value }
        #expect(error.condition == .featureNotImplemented)
    }

    @Test func anAnswerWithoutFinIsMalformed() async throws {
        let (client, server) = try await scriptedClient()
        let reading = read(client, ArchiveQuery())
        let query = try SentQuery(try await server.nextSent())
        try await server.deliver("<iq type='result' id='\(query.iq.id)'/>")
        let error = try await #require(throws: ArchiveError.self) { try await reading.value }
        #expect(error.code == .malformedAnswer)
    }
}
