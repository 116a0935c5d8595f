import Testing
import XMPPClient
import XMPPExtensions
import XMPPTesting

/// Personal eventing and bookmarks against the real servers (Prosody's mod_pep and mod_bookmarks, ejabberd's
/// mod_pubsub with its pep plugin): items published, read and retracted, and a bookmark added on one client
/// reaching the other through a notification (asked for with `+notify` in entity capabilities).
@Suite("PEP and bookmarks against live servers", .enabled(if: LiveServer.enabled), .timeLimit(.minutes(2)))
struct LivePubSubTests {
    static func client(_ server: LiveServer, resource: String) throws -> (XMPPClient, BookmarksService) {
        var configuration = try server.clientConfiguration(account: "user22", resource: resource)
        let bookmarks = BookmarksService()
        configuration.services = [
            DiscoService(), EntityCapabilitiesService(node: "https://example.org/swift-xmpp-tests"),
            PubSubService(interests: [BookmarksService.node]), bookmarks, PresenceService(),
        ]
        return (try XMPPClient(configuration: configuration), bookmarks)
    }

    @Test(arguments: LiveServer.names)
    func itemsAndBookmarksGoRoundTheAccount(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let (phone, phoneBookmarks) = try Self.client(server, resource: "phone-\(name)")
        let (laptop, laptopBookmarks) = try Self.client(server, resource: "laptop-\(name)")
        let changes = Collected<BookmarksChanged>()
        laptop.observe(BookmarksChanged.self) { changes.append($0) }
        try await phone.connect()
        try await laptop.connect()
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)

        // A node of our own: publish, read back, retract.
        let node = "urn:example:swift-xmpp:tests"
        let id = try await phone.publish(Ping.Ping(), to: node, itemID: "item-\(tag)")
        #expect(id == "item-\(tag)")
        let read = try await phone.items(of: node, ids: ["item-\(tag)"])
        #expect(read.map(\.id) == ["item-\(tag)"])
        #expect(try read.first?.payload(Ping.Ping.self) != nil)
        try await phone.retract("item-\(tag)", from: node)
        let after = try await phone.items(of: node)
        #expect(!after.contains { $0.id == "item-\(tag)" })

        // A bookmark added on the phone reaches the laptop, and its removal too.
        let room = try JID(parsing: "bookmarked-\(tag)@\(try #require(server.mucDomain))")
        try await phoneBookmarks.add(room, name: "Room \(tag)", nick: "juliet", autojoin: true)
        let added = try await changes.first { $0.bookmarks[room] != nil }
        #expect(added.bookmarks[room]?.name == "Room \(tag)")
        #expect(laptopBookmarks.bookmarks[room]?.nick == "juliet")
        #expect(try await laptopBookmarks.fetch()[room]?.autojoin == true)
        try await phoneBookmarks.remove(room)
        #expect(try await phoneBookmarks.fetch()[room] == nil)
        #expect(try await laptopBookmarks.fetch()[room] == nil)
        if name == "ejabberd" {
            // ejabberd 23.01 sends no retraction to the account's other clients (its nodes default to
            // notify_retract false); they learn of it on their next read, as above.
            withKnownIssue("ejabberd 23.01 does not notify retractions", isIntermittent: true) {
                #expect(changes.all.contains { $0.bookmarks[room] == nil && $0 != added })
            }
        } else {
            _ = try await changes.first { $0.bookmarks[room] == nil }
        }

        await laptop.close()
        await phone.close()
    }
}
