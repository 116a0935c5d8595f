import Testing
import XMPPClient
import XMPPExtensions
import XMPPTesting

/// Chat states, displayed markers, corrections and retractions: what the helpers put in a message, and whom a
/// correction or retraction is accepted from.
@Suite("Conversation payloads")
struct ConversationTests {
    let romeo = JID("romeo@example.net/orchard")!
    let room = JID("garden@rooms.example.com")!

    func received(_ xml: String) throws -> Message {
        try Message(xml: XMLElement(parsing: xml, defaultNamespace: "jabber:client"))
    }

    @Test(arguments: ChatState.allCases)
    func aChatStateIsCarriedAloneAndReplacesAnother(_ state: ChatState) throws {
        let typing = Message.chatState(.composing, to: romeo)
        #expect(typing.chatState == .composing)
        #expect(typing.hasPayload(ProcessingHints.NoStore.self))
        #expect(typing.body == nil)
        let changed = typing.withChatState(state)
        #expect(changed.chatState == state)
        #expect(changed.payloads.filter { $0.name.namespace == ChatStates.namespace }.count == 1)
    }

    @Test func aMarkableMessageIsAnsweredOnceAndAMarkerNever() throws {
        let message = try received(
            "<message from='romeo@example.net/orchard' id='m1' type='chat'><body>hi</body><markable xmlns='urn:xmpp:chat-markers:0'/></message>"
        )
        #expect(message.isMarkable)
        let marker = try #require(message.displayedMarker())
        #expect(marker.to == romeo)
        #expect(marker.displayedID == "m1")
        #expect(marker.displayedMarker() == nil)
        #expect(Message.chat(to: romeo, body: "x").markable().markable().payloads.count == 1)
        // Without an id, or not asked for: none.
        #expect(
            try received(
                "<message from='romeo@example.net/orchard'><body>x</body><markable xmlns='urn:xmpp:chat-markers:0'/></message>"
            ).displayedMarker() == nil)
        #expect(
            try received("<message from='romeo@example.net/orchard' id='m2'><body>x</body></message>").displayedMarker()
                == nil)
    }

    @Test func aGroupChatMarkerUsesTheRoomsStanzaIDAndGoesToTheRoom() throws {
        let message = try received(
            """
            <message from='garden@rooms.example.com/romeo' id='client-id' type='groupchat'><body>hi</body>\
            <markable xmlns='urn:xmpp:chat-markers:0'/>\
            <stanza-id xmlns='urn:xmpp:sid:0' by='mallory@example.org' id='forged'/>\
            <stanza-id xmlns='urn:xmpp:sid:0' by='garden@rooms.example.com' id='room-id'/></message>
            """)
        let marker = try #require(message.displayedMarker())
        #expect(marker.to == room)
        #expect(marker.type == .groupchat)
        #expect(marker.displayedID == "room-id")
    }

    @Test func correctionsAndRetractionsAreAcceptedFromTheSenderOnly() throws {
        let original = try received(
            "<message from='romeo@example.net/orchard' id='o1' type='chat'><body>helo</body></message>")
        let fixed = try received(
            "<message from='romeo@example.net/phone' id='o2' type='chat'><body>hello</body><replace xmlns='urn:xmpp:message-correct:0' id='o1'/></message>"
        )
        #expect(fixed.replacedID == "o1")
        #expect(fixed.mayChange(original))  // another resource of the same account, in a direct chat
        let spoof = try received(
            "<message from='mallory@example.org/x' id='s' type='chat'><body>bye</body><replace xmlns='urn:xmpp:message-correct:0' id='o1'/></message>"
        )
        #expect(!spoof.mayChange(original))
        let wrongID = Message.chat(to: romeo, body: "x").correcting("other")
        #expect(!wrongID.mayChange(original))

        let retraction = Message.retraction(of: "o1", to: romeo)
        #expect(retraction.retractedID == "o1")
        #expect(retraction.body != nil)
        #expect(retraction.hasPayload(FallbackIndication.Fallback.self))
        #expect(retraction.hasPayload(ProcessingHints.Store.self))
        var fromRomeo = retraction
        fromRomeo.from = JID("romeo@example.net/orchard")
        #expect(fromRomeo.mayChange(original))
    }

    @Test func inARoomOnlyTheSameOccupantMayRetractByTheRoomsID() throws {
        let original = try received(
            """
            <message from='garden@rooms.example.com/romeo' id='c1' type='groupchat'><body>oops</body>\
            <stanza-id xmlns='urn:xmpp:sid:0' by='garden@rooms.example.com' id='r1'/></message>
            """)
        var byRomeo = Message.retraction(of: "r1", to: room, type: .groupchat)
        byRomeo.from = JID("garden@rooms.example.com/romeo")
        #expect(byRomeo.mayChange(original))
        var byNurse = byRomeo
        byNurse.from = JID("garden@rooms.example.com/nurse")
        #expect(!byNurse.mayChange(original))
    }
}
