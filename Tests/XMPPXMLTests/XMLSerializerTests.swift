import NIOCore
import Testing
import XMPPXML

@Suite("XMLSerializer")
struct XMLSerializerTests {
    static let streamScope = XMLSerializer(
        defaultNamespace: "jabber:client",
        prefixes: [XMLNamespaceDeclaration(prefix: "stream", namespace: "http://etherx.jabber.org/streams")]
    )

    @Test("Parse, serialize, parse gives an equal element", arguments: corpus)
    func roundTrip(_ xml: String) throws {
        let parsed = try #require(elements(try parseAll(stream(xml))).first)
        // In the stream's scope, as a stream layer writes it...
        let inStream = Self.streamScope.string(for: parsed)
        let again = try #require(elements(try parseAll(stream(inStream))).first)
        #expect(again == parsed, "\(inStream)")
        // ...and standalone, with every namespace declared.
        #expect(try element(parsed.description) == parsed, "\(parsed.description)")
    }

    @Test func stanzasInTheStreamNamespaceCarryNoRedundantDeclaration() {
        let message = XMLElement(
            "message", namespace: "jabber:client", attributes: [XMLAttribute("to", "a@b")],
            children: [
                .element(XMLElement("body", namespace: "jabber:client", children: [.text("hi")])),
                .element(XMLElement("active", namespace: "http://jabber.org/protocol/chatstates")),
            ]
        )
        #expect(
            Self.streamScope.string(for: message)
                == "<message to='a@b'><body>hi</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>"
        )
    }

    @Test func usesPrefixesInScopeAndDeclaresOthersOnce() {
        let features = XMLElement(
            "features", namespace: "http://etherx.jabber.org/streams",
            children: [.element(XMLElement("bind", namespace: "urn:ietf:params:xml:ns:xmpp-bind"))]
        )
        #expect(
            Self.streamScope.string(for: features)
                == "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"
        )
        let attributed = XMLElement(
            "x", namespace: "urn:a",
            attributes: [
                XMLAttribute(XMLName(namespace: "urn:attr", localName: "one"), "1"),
                XMLAttribute(XMLName(namespace: "urn:attr", localName: "two"), "2"),
                XMLAttribute(.xmlLang, "en"),
            ],
            children: [
                .element(
                    XMLElement(
                        "y", namespace: "urn:a",
                        attributes: [XMLAttribute(XMLName(namespace: "urn:attr", localName: "three"), "3")]
                    )
                )
            ]
        )
        #expect(
            XMLSerializer().string(for: attributed)
                == "<x xmlns='urn:a' xmlns:ns0='urn:attr' ns0:one='1' ns0:two='2' xml:lang='en'><y ns0:three='3'/></x>"
        )
    }

    @Test func undeclaresTheDefaultNamespaceForAnElementInNoNamespace() {
        let outer = XMLElement("a", namespace: "urn:a", children: [.element(XMLElement(XMLName("b")))])
        #expect(XMLSerializer().string(for: outer) == "<a xmlns='urn:a'><b xmlns=''/></a>")
    }

    @Test func escapesTextAndAttributes() {
        let element = XMLElement(
            "m", namespace: "",
            attributes: [XMLAttribute("a", "<&>'\"\t\n\r")],
            children: [.text("<&>'\"\t\n\r]]>")]
        )
        #expect(
            element.description
                == "<m a='&lt;&amp;&gt;&apos;&quot;&#9;&#10;&#13;'>&lt;&amp;&gt;'\"\t\n&#13;]]&gt;</m>"
        )
    }

    @Test func replacesCharactersXMLCannotCarry() throws {
        let element = XMLElement("m", namespace: "", children: [.text("a\u{0}b\u{1B}c\u{FFFE}d\u{FFFF}e\u{FFFD}")])
        #expect(element.description == "<m>a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\u{FFFD}</m>")
        // And the result parses.
        #expect(try XMPPXMLTests.element(element.description).text == "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\u{FFFD}")
    }

    @Test func writesTheStreamHeaderAndFooter() throws {
        let header = XMLStreamHeader(
            name: XMLName(namespace: "http://etherx.jabber.org/streams", localName: "stream"),
            prefix: "stream",
            attributes: [
                XMLAttribute("to", "example.org"), XMLAttribute("version", "1.0"), XMLAttribute(.xmlLang, "en"),
            ],
            namespaces: [
                XMLNamespaceDeclaration(prefix: nil, namespace: "jabber:client"),
                XMLNamespaceDeclaration(prefix: "stream", namespace: "http://etherx.jabber.org/streams"),
            ]
        )
        var buffer = ByteBuffer()
        XMLSerializer.writeStreamHeader(header, into: &buffer)
        XMLSerializer(scopeOf: header).write(XMLElement("presence", namespace: "jabber:client"), into: &buffer)
        XMLSerializer.writeStreamFooter(for: header, into: &buffer)
        let text = String(buffer: buffer)
        #expect(
            text == "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                + "xmlns:stream='http://etherx.jabber.org/streams' to='example.org' version='1.0' xml:lang='en'>"
                + "<presence/></stream:stream>"
        )
        let events = try parseAll(Array(text.utf8))
        #expect(
            events == [
                .streamOpened(header), .element(XMLElement("presence", namespace: "jabber:client")), .streamClosed,
            ])
    }
}
