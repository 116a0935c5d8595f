import Testing
import XMPPCore
import XMPPStream
import XMPPTesting

@Suite("Component handshake (XEP-0114)")
struct ComponentNegotiationTests {
    func header(id: String?) -> XMLStreamHeader {
        XMLStreamHeader(
            name: XMLName(namespace: "http://etherx.jabber.org/streams", localName: "stream"), prefix: "stream",
            attributes: [XMLAttribute("from", "plays.shakespeare.lit")] + (id.map { [XMLAttribute("id", $0)] } ?? []),
            namespaces: [])
    }

    @Test func theHandshakeIsTheHashOfTheStreamIDAndTheSecret() throws {
        var negotiation = ComponentNegotiation(domain: try JID(parsing: "plays.shakespeare.lit"), secret: "test")
        guard case .openStream(let opened)? = negotiation.start(channelBindings: []).first else {
            Issue.record("no stream header")
            return
        }
        #expect(opened.attributes.first { $0.name == XMLName("to") }?.value == "plays.shakespeare.lit")
        #expect(opened.namespaces.contains { $0.prefix == nil && $0.namespace == "jabber:component:accept" })
        // XEP-0114 §3's example: stream id 3BF96D32, secret 'test'.
        let actions = negotiation.received(.streamOpened(header(id: "3BF96D32")))
        let handshake = actions.compactMap { action -> XMLElement? in
            if case .send(let element) = action { element } else { nil }
        }
        #expect(handshake.count == 1)
        #expect(handshake.first?.name == XMLName(namespace: "jabber:component:accept", localName: "handshake"))
        #expect(handshake.first?.text == "aaee83c26aeeafcbabeabfcbcd50df997e0a2a1e")
        #expect(actions.first == .maskWire(true))
        let done = negotiation.received(
            .element(XMLElement(XMLName(namespace: "jabber:component:accept", localName: "handshake"))))
        #expect(
            done == [
                .authenticated(ComponentNegotiation.handshakeMechanism),
                .established(
                    boundJID: try JID(parsing: "plays.shakespeare.lit"),
                    mechanism: ComponentNegotiation.handshakeMechanism),
            ])
    }

    @Test func aRefusedSecretOrAMissingIDFails() throws {
        var refused = ComponentNegotiation(domain: try JID(parsing: "plays.shakespeare.lit"), secret: "wrong")
        _ = refused.start(channelBindings: [])
        _ = refused.received(.streamOpened(header(id: "abc")))
        let error = try XMLElement(
            parsing:
                "<stream:error xmlns:stream='http://etherx.jabber.org/streams'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>"
        )
        guard case .fail(let failure)? = refused.received(.element(error)).last else {
            Issue.record("a stream error did not fail the handshake")
            return
        }
        #expect(failure.code == .authenticationFailed)
        #expect(failure.message.contains("not-authorized"))
        #expect(!failure.message.contains("wrong"))

        var anonymous = ComponentNegotiation(domain: try JID(parsing: "plays.shakespeare.lit"), secret: "test")
        _ = anonymous.start(channelBindings: [])
        guard case .fail(let missing)? = anonymous.received(.streamOpened(header(id: nil))).last else {
            Issue.record("a header without id was accepted")
            return
        }
        #expect(missing.code == .badInput)
    }
}
