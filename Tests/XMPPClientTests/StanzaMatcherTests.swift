import Testing
import XMPPClient
import XMPPExtensions
import XMPPTesting

@Suite("Stanza matchers")
struct StanzaMatcherTests {
    let chat: XMLElement
    let normal: XMLElement
    let subscribe: XMLElement
    let available: XMLElement
    let iqGet: XMLElement

    init() throws {
        chat = try XMLElement(
            stanza: """
                <message type='chat' id='m1' from='romeo@example.net/orchard'><body>Hi</body>\
                <composing xmlns='http://jabber.org/protocol/chatstates'/></message>
                """)
        normal = try XMLElement(stanza: "<message from='nurse@example.com'><body>Ahoy</body></message>")
        subscribe = try XMLElement(stanza: "<presence type='subscribe' from='romeo@example.net'/>")
        available = try XMLElement(stanza: "<presence from='romeo@example.net/orchard'><show>away</show></presence>")
        iqGet = try XMLElement(
            stanza:
                "<iq type='get' id='q1' from='example.com'><query xmlns='jabber:iq:roster'><item jid='a@b'/></query></iq>"
        )
    }

    @Test func kindAndType() {
        #expect(StanzaMatcher.message().matches(chat))
        #expect(StanzaMatcher.message(.chat).matches(chat))
        #expect(!StanzaMatcher.message(.chat).matches(normal))
        // A message without a type is 'normal' (RFC 6121 §5.2.2).
        #expect(StanzaMatcher.message(.normal).matches(normal))
        #expect(!StanzaMatcher.message().matches(subscribe))
        #expect(StanzaMatcher.presence(.subscribe).matches(subscribe))
        #expect(!StanzaMatcher.presence(.subscribe).matches(available))
        #expect(StanzaMatcher.availablePresence.matches(available))
        #expect(!StanzaMatcher.availablePresence.matches(subscribe))
        #expect(StanzaMatcher.iq(.get).matches(iqGet))
        #expect(!StanzaMatcher.iq(.set).matches(iqGet))
    }

    @Test func payloadSenderAndID() throws {
        #expect(StanzaMatcher.payload(ChatStates.Composing.self).matches(chat))
        #expect(!StanzaMatcher.payload(ChatStates.Active.self).matches(chat))
        #expect(!StanzaMatcher.payload(ChatStates.Composing.self).matches(normal))
        // A bare JID matches every resource; a full JID only itself.
        #expect(StanzaMatcher.from(try JID(parsing: "romeo@example.net")).matches(chat))
        #expect(StanzaMatcher.from(try JID(parsing: "romeo@example.net/orchard")).matches(chat))
        #expect(!StanzaMatcher.from(try JID(parsing: "romeo@example.net/balcony")).matches(chat))
        #expect(!StanzaMatcher.from(try JID(parsing: "romeo@example.net")).matches(normal))
        #expect(StanzaMatcher.id("m1").matches(chat))
        #expect(!StanzaMatcher.id("m2").matches(chat))
    }

    @Test func paths() {
        #expect(StanzaMatcher.path("message/body").matches(chat))
        #expect(!StanzaMatcher.path("presence/body").matches(chat))
        #expect(StanzaMatcher.path("message/{http://jabber.org/protocol/chatstates}composing").matches(chat))
        #expect(!StanzaMatcher.path("message/{urn:other}composing").matches(chat))
        #expect(StanzaMatcher.path("iq/{jabber:iq:roster}query/item").matches(iqGet))
        #expect(!StanzaMatcher.path("iq/{jabber:iq:roster}query/group").matches(iqGet))
        #expect(StanzaMatcher.path("iq/*/item").matches(iqGet))
        #expect(!StanzaMatcher.path("{urn:other}message").matches(chat))
    }

    @Test func combinators() {
        let composingChat = StanzaMatcher.message(.chat) && .payload(ChatStates.Composing.self)
        #expect(composingChat.matches(chat))
        #expect(!composingChat.matches(normal))
        let either = StanzaMatcher.presence(.subscribe) || .iq()
        #expect(either.matches(subscribe) && either.matches(iqGet) && !either.matches(chat))
        #expect((!StanzaMatcher.message()).matches(subscribe))
        #expect(!(!StanzaMatcher.message()).matches(chat))
        #expect(StanzaMatcher { $0["id"] == "q1" }.matches(iqGet))
    }
}
