import Testing
import XMPPClient
import XMPPExtensions
import XMPPTesting

/// Chat states, displayed markers, a correction and a retraction through the real servers, and the retraction kept
/// in the recipient's archive.
@Suite("Conversation payloads against live servers", .enabled(if: LiveServer.enabled), .timeLimit(.minutes(2)))
struct LiveConversationTests {
    @Test(arguments: LiveServer.names)
    func typingMarkersCorrectionAndRetractionGoThrough(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let juliet = try XMPPClient(configuration: try server.clientConfiguration(account: "user20", resource: name))
        let romeo = try XMPPClient(configuration: try server.clientConfiguration(account: "user21", resource: name))
        let julietInbox = Collected<Message>()
        juliet.onMessage { message, _ in julietInbox.append(message) }
        let romeoInbox = Collected<Message>()
        romeo.onMessage { message, _ in romeoInbox.append(message) }
        try await juliet.connect()
        try await romeo.connect()
        let julietJID = try #require(juliet.boundJID)
        let romeoJID = try #require(romeo.boundJID)
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)

        try await juliet.send(Message.chatState(.composing, to: romeoJID).withID("typing-\(tag)"))
        let typing = try await romeoInbox.first { $0.id == "typing-\(tag)" }
        #expect(typing.chatState == .composing)

        // A markable message, answered with a marker by its recipient.
        try await juliet.send(
            Message.chat(to: romeoJID, body: "wherefore art thou").withChatState(.active).withID("m-\(tag)").markable())
        let original = try await romeoInbox.first { $0.id == "m-\(tag)" }
        #expect(original.isMarkable)
        #expect(original.chatState == .active)
        try await romeo.send(try #require(original.displayedMarker()))
        let marker = try await julietInbox.first { $0.displayedID == "m-\(tag)" }
        #expect(marker.from == romeoJID)

        // A correction, then a retraction, each accepted by the recipient as coming from the sender.
        try await juliet.send(
            Message.chat(to: romeoJID, body: "wherefore art thou, Romeo").correcting("m-\(tag)").withID("c-\(tag)"))
        let correction = try await romeoInbox.first { $0.id == "c-\(tag)" }
        #expect(correction.replacedID == "m-\(tag)")
        #expect(correction.mayChange(original))
        try await juliet.send(Message.retraction(of: "m-\(tag)", to: romeoJID).withID("r-\(tag)"))
        let retraction = try await romeoInbox.first { $0.id == "r-\(tag)" }
        #expect(retraction.retractedID == "m-\(tag)")
        #expect(retraction.mayChange(original))
        #expect(retraction.from?.bare == julietJID.bare)

        // The archive keeps the retraction (its fallback body and <store/> hint), for clients that were away.
        var archived: ArchivedMessage?
        for try await entry in romeo.archivedMessages(
            matching: ArchiveQuery(with: julietJID.bare, order: .newestFirst, pageSize: 10))
        where entry.message.id == "r-\(tag)" {
            archived = entry
            break
        }
        #expect(archived?.message.retractedID == "m-\(tag)")

        await romeo.close()
        await juliet.close()
    }
}
