import SASL
import Testing
import XMPPCore
import XMPPStream
import XMPPTesting

/// The negotiation state machine, step by step, with the server's side scripted: no network, exact actions.
@Suite struct ClientNegotiationTests {
    let jid = JID("juliet@example.com/balcony")!

    func negotiation(_ security: ClientNegotiation.TransportSecurity = .startTLS) -> ClientNegotiation {
        ClientNegotiation(
            settings: .init(
                jid: jid, credentials: .password(username: "juliet", password: "r0m30myr0m30"), security: security))
    }

    func header(version: String = "1.0") throws -> XMLStreamEvent {
        let parser = XMLStreamParser()
        let events = try parser.parse(
            Array(
                ("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
                    + "from='example.com' id='s1' version='\(version)'>").utf8))
        return try #require(events.first)
    }

    func element(_ xml: String) throws -> XMLStreamEvent {
        .element(try XMLElement(parsing: xml))
    }

    func sent(_ actions: [ClientNegotiation.Action]) -> [XMLElement] {
        actions.compactMap { if case .send(let element) = $0 { element } else { nil } }
    }

    func failure(_ actions: [ClientNegotiation.Action]) -> XMPPClientError? {
        for case .fail(let error) in actions { return error }
        return nil
    }

    let features = "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>"

    @Test func startTLSIsRequiredAndUsed() throws {
        var machine = negotiation()
        guard case .openStream(let opening) = machine.start().first else {
            Issue.record("no stream header")
            return
        }
        #expect(opening.to == "example.com")
        #expect(opening.from == nil)  // no JID in the clear
        #expect(machine.received(try header()).isEmpty)
        let actions = machine.received(
            try element(
                features + "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>")
        )
        #expect(sent(actions).map(\.name) == [StartTLS.Starttls.qualifiedName])
        #expect(machine.received(try element("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")) == [.startTLS])
        guard case .openStream(let restarted) = machine.tlsEstablished(channelBindings: []).first else {
            Issue.record("no restart after TLS")
            return
        }
        #expect(restarted.from == "juliet@example.com")
    }

    @Test func aServerWithoutSTARTTLSIsRefused() throws {
        var machine = negotiation()
        _ = machine.start()
        _ = machine.received(try header())
        let actions = machine.received(
            try element(
                features + "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>"
                    + "</mechanisms></stream:features>"))
        #expect(failure(actions)?.code == .tlsNotOffered)
        #expect(sent(actions).isEmpty)  // nothing, and no credentials, went out
    }

    @Test func plainOverTLSThenBindThenLegacySession() throws {
        var machine = negotiation(.directTLS)
        _ = machine.start()
        _ = machine.received(try header())
        var actions = machine.received(
            try element(
                features + "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>"
                    + "</mechanisms></stream:features>"))
        #expect(actions.first == .maskWire(true))
        let auth = try SASL.Auth(xml: try #require(sent(actions).first))
        #expect(auth.mechanism == "PLAIN")
        #expect(try [UInt8](xmlValue: auth.value) == Array("\0juliet\0r0m30myr0m30".utf8))
        actions = machine.received(try element("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"))
        #expect(actions.first == .maskWire(false))
        #expect(actions.dropFirst().first == .authenticated(.plain), "success is reported before the restart")
        guard case .openStream = actions.last else {
            Issue.record("no restart after SASL")
            return
        }
        _ = machine.received(try header())
        actions = machine.received(
            try element(
                features + "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
                    + "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></stream:features>"))
        let bindRequest = try IQ(xml: try #require(sent(actions).first))
        #expect(bindRequest.type == .set)
        let bind = try #require(try bindRequest.payload(Bind.Bind.self))
        #expect(bind.choice == .resource(XMLValueElement("balcony")))
        actions = machine.received(
            try element(
                "<iq xmlns='jabber:client' type='result' id='\(bindRequest.id)'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                    + "<jid>juliet@example.com/balcony</jid></bind></iq>"))
        let sessionRequest = try IQ(xml: try #require(sent(actions).first))
        #expect(sessionRequest.hasPayload(Session.Session.self))
        actions = machine.received(try element("<iq xmlns='jabber:client' type='result' id='\(sessionRequest.id)'/>"))
        #expect(actions == [.established(boundJID: jid, mechanism: .plain)])
    }

    @Test func aSCRAMServerSignatureThatDoesNotVerifyIsRefused() throws {
        var machine = negotiation(.directTLS)
        _ = machine.start()
        _ = machine.received(try header())
        var actions = machine.received(
            try element(
                features + "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism>"
                    + "<mechanism>PLAIN</mechanism></mechanisms></stream:features>"))
        let auth = try SASL.Auth(xml: try #require(sent(actions).first))
        #expect(auth.mechanism == "SCRAM-SHA-1")  // SCRAM before PLAIN
        let clientFirst = String(decoding: try [UInt8](xmlValue: auth.value), as: UTF8.self)
        let nonce = try #require(clientFirst.split(separator: ",").first { $0.hasPrefix("r=") }).dropFirst(2)
        let serverFirst = "r=\(nonce)server,s=QSXCR+Q6sek8bf92,i=4096"
        actions = machine.received(
            try element(
                "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\(Array(serverFirst.utf8).xmlValue)</challenge>"))
        #expect(sent(actions).first?.name == SASL.Response.qualifiedName)
        let forged = Array("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=".utf8).xmlValue
        actions = machine.received(try element("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\(forged)</success>"))
        #expect(failure(actions)?.code == .saslProtocolError)
        #expect(actions.contains(.maskWire(false)))
        #expect(!actions.contains { if case .openStream = $0 { true } else { false } })
        #expect(!actions.contains { if case .authenticated = $0 { true } else { false } })
    }

    @Test func refusalsAndStreamErrorsEndNegotiationWithTheReason() throws {
        var machine = negotiation(.directTLS)
        _ = machine.start()
        _ = machine.received(try header())
        _ = machine.received(
            try element(
                features + "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>"
                    + "</mechanisms></stream:features>"))
        let refused = machine.received(
            try element(
                "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/><text>Bad password</text></failure>"
            ))
        #expect(failure(refused)?.code == .authenticationFailed)
        #expect(failure(refused)?.message.contains("not-authorized") == true)

        var other = negotiation()
        _ = other.start()
        _ = other.received(try header())
        let streamError = other.received(
            try element(
                "<stream:error xmlns:stream='http://etherx.jabber.org/streams'><host-unknown "
                    + "xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>"))
        #expect(failure(streamError)?.code == .streamError)
        #expect(failure(streamError)?.message.contains("host-unknown") == true)

        var old = negotiation()
        _ = old.start()
        #expect(failure(old.received(try header(version: "0.9")))?.code == .badInput)
    }
}
