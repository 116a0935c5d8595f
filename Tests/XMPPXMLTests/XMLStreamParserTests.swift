import NIOCore
import Testing
import XMPPXML

@Suite("XMLStreamParser: streams")
struct XMLStreamParserTests {
    @Test func readsTheHeaderWithAllItsAttributesAndNamespaces() throws {
        let events = try parseAll(stream(""))
        guard events.count == 1, case .streamOpened(let header) = events[0] else {
            Issue.record("expected one header, got \(events)")
            return
        }
        #expect(header.name == XMLName(namespace: "http://etherx.jabber.org/streams", localName: "stream"))
        #expect(header.prefix == "stream")
        #expect(header.from == "example.org")
        #expect(header.to == nil)
        #expect(header.id == "s-1")
        #expect(header.version == "1.0")
        #expect(header.language == "en")
        #expect(header.defaultNamespace == "jabber:client")
        #expect(
            header.namespaces == [
                XMLNamespaceDeclaration(prefix: nil, namespace: "jabber:client"),
                XMLNamespaceDeclaration(prefix: "stream", namespace: "http://etherx.jabber.org/streams"),
            ]
        )
        #expect(header.attributes.map(\.name.localName) == ["from", "id", "version", "lang"])
    }

    @Test func reportsEachTopLevelElementAndTheEnd() throws {
        let events = try parseAll(
            stream("<message to='a@b'><body>hi</body></message> <presence/>\n<iq type='get' id='1'/></stream:stream>")
        )
        #expect(events.count == 5)
        let stanzas = elements(events)
        #expect(stanzas.map(\.name.localName) == ["message", "presence", "iq"])
        #expect(stanzas.allSatisfy { $0.name.namespace == "jabber:client" })
        #expect(stanzas[0].childText("body") == "hi")
        #expect(stanzas[0]["to"] == "a@b")
        #expect(events.last == .streamClosed)
    }

    @Test func resolvesPrefixesAndDefaultNamespaceChanges() throws {
        let stanzas = elements(try parseAll(stream(corpus[7] + corpus[9] + corpus[11])))
        let features = stanzas[0]
        #expect(features.name == XMLName(namespace: "http://etherx.jabber.org/streams", localName: "features"))
        let starttls = try #require(features.firstChild("starttls", namespace: "urn:ietf:params:xml:ns:xmpp-tls"))
        #expect(starttls.firstChild("required") != nil)

        let prefixed = stanzas[1]
        #expect(prefixed.name == XMLName(namespace: "jabber:client", localName: "iq"))
        #expect(prefixed.firstChild("ping", namespace: "urn:xmpp:ping") != nil)

        let nested = stanzas[2]
        let outer = try #require(nested.firstChild("outer", namespace: "urn:a"))
        let inner = try #require(outer.firstChild("inner", namespace: "urn:b"))
        let deeper = try #require(inner.firstChild("deeper", namespace: ""))
        #expect(deeper.text == "no namespace")
        #expect(outer.firstChild("back") != nil)  // back in urn:a once <inner/> is closed
    }

    @Test func keepsNamespacedAttributesAndXMLLang() throws {
        let message = elements(try parseAll(stream(corpus[10] + corpus[0])))
        #expect(message[0][attribute: XMLName(namespace: "urn:example:attr", localName: "flag")] == "1")
        #expect(message[0]["plain"] == "3")
        #expect(message[0]["flag"] == nil)
        let child = try #require(message[0].firstChild("child", namespace: "urn:example:attr"))
        #expect(child[attribute: XMLName(namespace: "urn:example:attr", localName: "inner")] == "4")
        #expect(message[1][attribute: .xmlLang] == "en")
    }

    @Test func namespaceNamesKeepTheirAmpersands() throws {
        // A namespace declaration is an attribute: `&amp;` and `&#38;` in it mean `&` (found by the fuzzer).
        let events = try parseAll(
            Array(
                ("<stream:stream xmlns='urn:c&amp;d' xmlns:stream='http://etherx.jabber.org/streams'>"
                    + "<p:x xmlns:p='urn:a&amp;b'><y xmlns='urn:e&#38;f' a:z='1' xmlns:a='urn:g&amp;h'/></p:x>").utf8),
            configuration: XMLStreamParser.Configuration(
                root: .stream(XMLName(namespace: "http://etherx.jabber.org/streams", localName: "stream")))
        )
        guard case .streamOpened(let header) = events.first else {
            Issue.record("expected a stream header")
            return
        }
        #expect(header.namespaces.contains(XMLNamespaceDeclaration(prefix: nil, namespace: "urn:c&d")))
        let x = try #require(elements(events).first)
        #expect(x.name == XMLName(namespace: "urn:a&b", localName: "x"))
        let y = try #require(x.firstChild("y", namespace: "urn:e&f"))
        #expect(y[attribute: XMLName(namespace: "urn:g&h", localName: "z")] == "1")
        #expect(try element(XMLSerializer().string(for: x)) == x)
    }

    @Test func resolvesPredefinedEntitiesAndCharacterReferences() throws {
        let stanzas = elements(try parseAll(stream(corpus[1] + corpus[2] + corpus[4])))
        #expect(stanzas[0].childText("body") == "5 > 3 && 2 < 4, \"quoted\" 'single'")
        #expect(stanzas[1]["id"] == "x&y&z<>\"'")
        #expect(stanzas[1].childText("body") == "\u{1F680} \u{E9}t\u{E9} A")
        #expect(stanzas[2].childText("body") == "<not> &markup; ")
    }

    @Test func attributeValuesAreNormalizedButCharacterReferencesSurvive() throws {
        let element = try element("<a x='one\ttwo\nthree' y='&#9;&#10;&#13;'/>")
        #expect(element["x"] == "one two three")
        #expect(element["y"] == "\t\n\r")
    }

    @Test func keepsWhitespaceInsideStanzasAndIgnoresItBetweenThem() throws {
        let events = try parseAll(stream(" \n\t " + corpus[12] + "\r\n  "))
        #expect(events.count == 2)
        let message = try #require(elements(events).first)
        #expect(message.childText("body") == "  leading and trailing whitespace  ")
        #expect(message.childText("subject") == "tab\tand\nCRLF")  // XML normalizes CR LF to LF
        #expect(message.children.count == 5)  // three whitespace text nodes around two elements
    }

    @Test func aUTF8CharacterSplitAcrossChunksIsReassembled() throws {
        let text = "\u{1F680}\u{E9}\u{4E2D}"
        let bytes = stream("<message><body>\(text)</body></message>")
        let bodyStart = bytes.count - "</body></message>".utf8.count - text.utf8.count
        for split in bodyStart...(bodyStart + text.utf8.count) {
            let parser = XMLStreamParser()
            let events = try parser.parse(bytes[..<split]) + parser.parse(bytes[split...])
            #expect(elements(events).first?.childText("body") == text, "split at \(split)")
        }
    }

    @Test func parsesAStandaloneDocument() throws {
        let iq = try element("<iq xmlns='jabber:client' type='get'><ping xmlns='urn:xmpp:ping'/></iq>")
        #expect(iq.name == XMLName(namespace: "jabber:client", localName: "iq"))
        #expect(iq.elements.map(\.name.localName) == ["ping"])
    }

    @Test func parsesFromAByteBufferWithoutConsumingIt() throws {
        let parser = XMLStreamParser()
        let buffer = ByteBuffer(bytes: stream("<presence/>"))
        var names: [String] = []
        let consumed = try parser.parse(buffer) { event in
            if case .element(let element) = event { names.append(element.name.localName) }
            return .continue
        }
        #expect(consumed == buffer.readableBytes)
        #expect(names == ["presence"])
    }
}

@Suite("XMLStreamParser: restarts and STARTTLS")
struct XMLStreamParserRestartTests {
    static let success = "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"

    @Test func restartsWhenTheNewHeaderArrivesInTheSameChunk() throws {
        let restart =
            serverHeader.replacingOccurrences(of: "s-1", with: "s-2")
            + "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"
        let bytes = stream("<message><body>before</body></message>" + Self.success) + Array(restart.utf8)
        let parser = XMLStreamParser()
        var seen: [XMLStreamEvent] = []
        let consumed = try bytes.withUnsafeBytes { raw in
            try parser.parse(raw) { event in
                seen.append(event)
                if case .element(let element) = event, element.name.localName == "success" { return .stop }
                return .continue
            }
        }
        #expect(consumed == bytes.count - restart.utf8.count)
        #expect(seen.count == 3)

        parser.reset()
        let after = try parser.parse(bytes[consumed...])
        guard after.count == 2, case .streamOpened(let header) = after[0], case .element(let features) = after[1]
        else {
            Issue.record("expected a new header and features, got \(after)")
            return
        }
        #expect(header.id == "s-2")
        #expect(features.firstChild("bind", namespace: "urn:ietf:params:xml:ns:xmpp-bind") != nil)
    }

    @Test func stopsRightAfterProceedSoTheTLSBytesAreLeftOver() throws {
        let tlsRecord: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0x05, 0xFF, 0x00, 0x3C, 0x26]
        let proceed = "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
        let bytes = stream(proceed) + tlsRecord
        for chunk in [1, 7, bytes.count] {
            let parser = XMLStreamParser()
            var offset = 0
            var stoppedAt: Int?
            while offset < bytes.count, stoppedAt == nil {
                let end = min(bytes.count, offset + chunk)
                var stop = false
                let consumed = try bytes[offset..<end].withUnsafeBytes { raw in
                    try parser.parse(raw) { event in
                        if case .element(let element) = event, element.name.localName == "proceed" { stop = true }
                        return stop ? .stop : .continue
                    }
                }
                if stop { stoppedAt = offset + consumed }
                offset = end
            }
            #expect(stoppedAt == bytes.count - tlsRecord.count, "chunk size \(chunk)")
        }
    }

    @Test func aHandlerErrorIsRethrownAndStopsTheParser() throws {
        struct Refused: Error {}
        let parser = XMLStreamParser()
        #expect(throws: Refused.self) {
            try stream("<message/><presence/>").withUnsafeBytes { raw in
                try parser.parse(raw) { event in
                    if case .element = event { throw Refused() }
                    return .continue
                }
            }
        }
        parser.reset()
        #expect(try parser.parse(stream("<presence/>")).count == 2)
    }

    @Test func anErrorIsStickyUntilReset() throws {
        let parser = XMLStreamParser()
        #expect(throws: XMLStreamError.self) { try parser.parse(stream("<a><!-- no --></a>")) }
        #expect(throws: XMLStreamError.self) { try parser.parse(Array("<presence/>".utf8)) }
        parser.reset()
        #expect(elements(try parser.parse(stream("<presence/>"))).count == 1)
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
