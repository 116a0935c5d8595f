import Testing
import XMPPXML

@Suite("XMLElement")
struct XMLElementTests {
    @Test func equalityIgnoresPrefixesAndAttributeOrder() throws {
        let prefixed = try element("<s:features xmlns:s='http://etherx.jabber.org/streams' a='1' b='2'/>")
        let defaulted = try element("<features xmlns='http://etherx.jabber.org/streams' b='2' a='1'/>")
        #expect(prefixed == defaulted)
        #expect(prefixed.hashValue == defaulted.hashValue)
        #expect(Set([prefixed, defaulted]).count == 1)
    }

    @Test func equalityDistinguishesNamespacesValuesAndChildren() throws {
        let base = try element("<x xmlns='urn:a' a='1'><y/></x>")
        #expect(base != (try element("<x xmlns='urn:b' a='1'><y/></x>")))
        #expect(base != (try element("<x xmlns='urn:a' a='2'><y/></x>")))
        #expect(base != (try element("<x xmlns='urn:a' a='1' b='1'><y/></x>")))
        #expect(base != (try element("<x xmlns='urn:a' a='1'><z/></x>")))
        #expect(base != (try element("<x xmlns='urn:a' a='1'><y/>text</x>")))
        #expect(base != (try element("<x xmlns='urn:a' a='1'/>")))
    }

    @Test func queries() throws {
        var message = try element(
            "<message xmlns='jabber:client' to='a@b' xml:lang='en'><body>one</body><body xml:lang='de'>eins</body>"
                + "<active xmlns='http://jabber.org/protocol/chatstates'/>tail</message>"
        )
        #expect(message["to"] == "a@b")
        #expect(message[attribute: .xmlLang] == "en")
        #expect(message.childText("body") == "one")
        #expect(message.children(named: XMLName(namespace: "jabber:client", localName: "body")).count == 2)
        #expect(message.firstChild("active") == nil)  // not in jabber:client
        #expect(message.firstChild("active", namespace: "http://jabber.org/protocol/chatstates") != nil)
        #expect(message.elements.map(\.name.localName) == ["body", "body", "active"])
        #expect(message.text == "tail")

        message["to"] = "c@d"
        message["id"] = "new"
        message[attribute: .xmlLang] = nil
        #expect(message.attributes.map(\.name.localName) == ["to", "id"])
        #expect(message["to"] == "c@d")
        message.append(XMLElement("thread", namespace: "jabber:client", children: [.text("t1")]))
        message.append(text: "!")
        #expect(message.childText("thread") == "t1")
        #expect(message.text == "tail!")
    }

    @Test func clarkNotation() {
        #expect(XMLName(namespace: "urn:xmpp:ping", localName: "ping").description == "{urn:xmpp:ping}ping")
        #expect(XMLName("id").description == "id")
    }
}
