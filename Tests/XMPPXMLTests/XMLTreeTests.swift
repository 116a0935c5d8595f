import Testing
import XMPPXML

/// Parsed elements are views into one storage per stanza; these tests hold them to the value semantics of
/// elements built in code.
@Suite struct XMLTreeTests {
    let xml = """
        <message xmlns='jabber:client' to='romeo@example.net' from='juliet@example.com/balcony' type='chat' \
        xml:lang='en'>text before<body>Wherefore art thou, Romeo? &amp; &lt;ok&gt; ☕</body>\
        <thread parent='p1'>t1</thread><x xmlns='urn:example:x' a='1'><y b='&amp;2'/>tail</x></message>
        """

    var built: XMLElement {
        let client = "jabber:client"
        return XMLElement(
            "message", namespace: client,
            attributes: [
                XMLAttribute("to", "romeo@example.net"), XMLAttribute("from", "juliet@example.com/balcony"),
                XMLAttribute("type", "chat"), XMLAttribute(.xmlLang, "en"),
            ],
            children: [
                .text("text before"),
                .element(
                    XMLElement("body", namespace: client, children: [.text("Wherefore art thou, Romeo? & <ok> ☕")])),
                .element(
                    XMLElement(
                        "thread", namespace: client, attributes: [XMLAttribute("parent", "p1")],
                        children: [.text("t1")])),
                .element(
                    XMLElement(
                        "x", namespace: "urn:example:x", attributes: [XMLAttribute("a", "1")],
                        children: [
                            .element(
                                XMLElement("y", namespace: "urn:example:x", attributes: [XMLAttribute("b", "&2")])),
                            .text("tail"),
                        ])),
            ])
    }

    @Test func aParsedElementEqualsTheSameElementBuiltInCode() throws {
        let parsed = try element(xml)
        #expect(parsed == built)
        #expect(built == parsed)
        #expect(parsed.hashValue == built.hashValue)
        #expect(parsed.children.count == 4)
        #expect(parsed.children[0] == .text("text before"))
        #expect(parsed.attributeCount == 4)
        #expect(parsed["type"] == "chat")
        #expect(parsed[attribute: .xmlLang] == "en")
        #expect(parsed["missing"] == nil)
        #expect(parsed.childText("body") == "Wherefore art thou, Romeo? & <ok> ☕")
        let x = try #require(parsed.firstChild("x", namespace: "urn:example:x"))
        #expect(x.elements.map(\.name.localName) == ["y"])
        #expect(x.firstChild("y")?["b"] == "&2")
        #expect(x.text == "tail")
    }

    @Test func changingACopyOfAParsedElementLeavesTheOriginalAlone() throws {
        let parsed = try element(xml)
        var copy = parsed
        copy["type"] = "groupchat"
        copy.children.append(.text("more"))
        copy.name = XMLName(namespace: "jabber:client", localName: "presence")
        #expect(parsed["type"] == "chat")
        #expect(parsed.children.count == 4)
        #expect(parsed.name.localName == "message")
        #expect(parsed == built)
        #expect(copy["type"] == "groupchat")
        #expect(copy.children.count == 5)
        #expect(copy.children.last == .text("more"))
        // The unchanged children of the copy are still the parsed ones, and still equal.
        #expect(Array(copy.children.prefix(4)) == Array(parsed.children))
    }

    @Test func changingANestedChildOfAParsedElement() throws {
        var parsed = try element(xml)
        guard case .element(var body) = parsed.children[1] else {
            Issue.record("expected the body element")
            return
        }
        body.children = [.text("changed")]
        parsed.children[1] = .element(body)
        #expect(parsed.childText("body") == "changed")
        #expect(try element(xml).childText("body") == "Wherefore art thou, Romeo? & <ok> ☕")
        parsed.children.removeAll()
        #expect(parsed.children.isEmpty)
        #expect(parsed.attributeCount == 4)
    }

    @Test func copiesOfABuiltElementAreIndependent() {
        let original = built
        var copy = original
        copy.attributes.removeAll()
        copy.append(text: "x")
        #expect(original.attributeCount == 4)
        #expect(original.children.count == 4)
        #expect(copy.attributeCount == 0)
        #expect(copy.children.count == 5)
    }

    @Test func parsedElementsOutliveTheParserAndCrossTasks() async throws {
        var stanzas: [XMLElement] = []
        do {
            let parser = XMLStreamParser()
            stanzas = elements(try feed(parser, stream(xml.replacing(" xmlns='jabber:client'", with: "") + xml)))
        }
        #expect(stanzas.count == 2)
        let sent = stanzas
        let bodies = await Task.detached { sent.map { $0.childText("body") } }.value
        #expect(bodies == Array(repeating: "Wherefore art thou, Romeo? & <ok> ☕", count: 2))
    }

    @Test func aLongStreamWithManyDistinctNamesKeepsParsing() throws {
        // Each stanza brings 20,000 new element names; the parser's name pool must start afresh between
        // stanzas rather than grow without bound or refuse the stream.
        let parser = XMLStreamParser()
        _ = try parser.parse(stream(""))
        for round in 0..<5 {
            var stanza = "<message>"
            for index in 0..<20_000 {
                stanza += "<n\(round)x\(index)/>"
            }
            stanza += "</message>"
            let parsed = elements(try parser.parse(Array(stanza.utf8)))
            #expect(parsed.count == 1)
            #expect(parsed.first?.children.count == 20_000)
            if case .element(let last) = parsed.first?.children.last {
                #expect(last.name.localName == "n\(round)x19999")
            } else {
                Issue.record("expected an element")
            }
        }
    }
}
