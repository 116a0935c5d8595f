import SASL
import Testing
import XMPPCore
import XMPPStream
import XMPPTesting

/// SASL2 (XEP-0388), Bind 2 (XEP-0386) and FAST (XEP-0484) in the negotiation state machine, with the server's side
/// scripted: exact elements out, exact actions back.
@Suite struct SASL2NegotiationTests {
    static let bare = JID("juliet@example.com")!
    static let password = "r0m30myr0m30"
    static let agent = SASL2.UserAgent(id: "d4565fa7-4d72-4749-b3d3-740edbf87770", software: "Tests", device: nil)
    static let token = FASTToken(
        mechanism: .htSHA256None, secret: "secret-token:fast-abc", expiry: "2027-01-01T00:00:00Z",
        clientID: "0b7ae1c2-3c4f-4d8e-9f00-0123456789ab")
    let features = "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>"

    func negotiation(
        jid: JID = Self.bare,
        security: ClientNegotiation.TransportSecurity = .directTLS,
        sasl2: SASL2.Settings? = SASL2.Settings(userAgent: Self.agent),
        streamManagement: StreamManagement.Settings? = nil,
        resumption: StreamManagement.Resumption? = nil,
        channelBindings: [SASLChannelBinding] = []
    ) throws -> ClientNegotiation {
        var machine = ClientNegotiation(
            settings: .init(
                jid: jid, credentials: .password(username: "juliet", password: Self.password), security: security,
                streamManagement: streamManagement, resumption: resumption, sasl2: sasl2))
        _ = machine.start(channelBindings: channelBindings)
        let header = try XMLStreamParser().parse(
            Array(
                ("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
                    + "from='example.com' id='s1' version='1.0'>").utf8))
        #expect(machine.received(try #require(header.first)).isEmpty)
        return machine
    }

    func element(_ xml: String) throws -> XMLStreamEvent { .element(try XMLElement(parsing: xml)) }

    func sent(_ actions: [ClientNegotiation.Action]) -> [XMLElement] {
        actions.compactMap { if case .send(let element) = $0 { element } else { nil } }
    }

    func failure(_ actions: [ClientNegotiation.Action]) -> XMPPClientError? {
        for case .fail(let error) in actions { return error }
        return nil
    }

    static func child(_ element: XMLElement, _ namespace: String, _ name: String) -> XMLElement? {
        element.firstChild(named: XMLName(namespace: namespace, localName: name))
    }

    /// SASL2 offer: PLAIN only (so that the test needs no SCRAM server), Bind 2 with carbons and SM inline, FAST.
    func offer(
        bindInline: String = "<feature var='urn:xmpp:carbons:2'/><feature var='urn:xmpp:csi:0'/>",
        smInline: Bool = false
    ) -> String {
        features + "<authentication xmlns='urn:xmpp:sasl:2'><mechanism>PLAIN</mechanism><inline>"
            + "<bind xmlns='urn:xmpp:bind:0'><inline>\(bindInline)</inline></bind>"
            + (smInline ? "<sm xmlns='urn:xmpp:sm:3'/>" : "")
            + "<fast xmlns='urn:xmpp:fast:0'><mechanism>HT-SHA-256-NONE</mechanism></fast></inline></authentication>"
            + "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>"
            + "</stream:features>"
    }

    @Test func passwordLoginBindsInlineEnablesCarbonsAndAsksForAToken() throws {
        var settings = SASL2.Settings(userAgent: Self.agent, enablesCarbons: true, requestsFASTToken: true)
        settings.bindTag = "Tests"
        var machine = try negotiation(sasl2: settings, streamManagement: StreamManagement.Settings())
        var actions = machine.received(try element(offer()))
        #expect(actions.first == .maskWire(true))
        let authenticate = try #require(sent(actions).first)
        #expect(authenticate.name == SASL2.name("authenticate"))
        #expect(authenticate["mechanism"] == "PLAIN")
        let initial = try #require(Self.child(authenticate, SASL2.namespace, "initial-response"))
        #expect(try [UInt8](xmlValue: initial.text) == Array("\0juliet\0\(Self.password)".utf8))
        let agent = try #require(Self.child(authenticate, SASL2.namespace, "user-agent"))
        #expect(agent["id"] == Self.agent.id)
        #expect(agent.childText("software", namespace: SASL2.namespace) == "Tests")
        let bind = try #require(Self.child(authenticate, SASL2.bindNamespace, "bind"))
        #expect(bind.childText("tag", namespace: SASL2.bindNamespace) == "Tests")
        #expect(Self.child(bind, SASL2.carbonsNamespace, "enable") != nil)
        #expect(Self.child(bind, StreamManagement.namespace, "enable") == nil, "SM was not offered inline")
        #expect(Self.child(authenticate, SASL2.fastNamespace, "request-token")?["mechanism"] == "HT-SHA-256-NONE")
        #expect(Self.child(authenticate, SASL2.fastNamespace, "fast") == nil)

        actions = machine.received(
            try element(
                "<success xmlns='urn:xmpp:sasl:2'>"
                    + "<authorization-identifier>juliet@example.com/Tests~abc</authorization-identifier>"
                    + "<bound xmlns='urn:xmpp:bind:0'/><token xmlns='urn:xmpp:fast:0' expiry='2027-01-01T00:00:00Z'"
                    + " token='secret-token:fast-new'/></success>"))
        #expect(actions == [.maskWire(false), .authenticated(.plain)], "no stream restart after SASL2")
        let outcome = try #require(machine.sasl2Outcome)
        #expect(outcome.boundInline && !outcome.usedFASTToken)
        #expect(outcome.enabledInline == [SASL2.carbonsNamespace])
        #expect(
            outcome.issuedToken
                == FASTToken(
                    mechanism: .htSHA256None, secret: "secret-token:fast-new", expiry: "2027-01-01T00:00:00Z",
                    clientID: Self.agent.id))
        #expect(outcome.issuedToken?.description.contains("fast-new") == false)
        // The features after success: bound already, so no <iq> bind; stream management the XEP-0198 way.
        actions = machine.received(
            try element(
                features
                    + "<sm xmlns='urn:xmpp:sm:3'/><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"))
        #expect(sent(actions).map(\.name) == [StreamManagement.name("enable")])
        let enabled = try XMLElement(parsing: "<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true'/>")
        actions = machine.received(.element(enabled))
        #expect(
            actions == [
                .streamManagement(.enabled(enabled)),
                .established(boundJID: JID("juliet@example.com/Tests~abc")!, mechanism: .plain),
            ])
    }

    @Test func aFASTTokenLogsInInOneRoundTripAndTheServerMustProveIt() throws {
        let settings = SASL2.Settings(userAgent: Self.agent, fastToken: Self.token, requestsFASTToken: true)
        var machine = try negotiation(sasl2: settings)
        var actions = machine.received(try element(offer()))
        let authenticate = try #require(sent(actions).first)
        #expect(authenticate["mechanism"] == "HT-SHA-256-NONE")
        let initial = try [UInt8](
            xmlValue: try #require(Self.child(authenticate, SASL2.namespace, "initial-response")).text)
        var expected = try SASLClient(
            mechanism: .htSHA256None, credentials: .token(username: "juliet", token: Self.token.secret))
        #expect(initial == (try expected.initialResponse()))
        #expect(!String(decoding: initial, as: UTF8.self).contains(Self.password))
        #expect(
            Self.child(authenticate, SASL2.namespace, "user-agent")?["id"] == Self.token.clientID,
            "the token is used under the id it was issued to")
        #expect(Self.child(authenticate, SASL2.fastNamespace, "fast") != nil)
        #expect(Self.child(authenticate, SASL2.fastNamespace, "request-token") == nil)

        // The server's proof: HMAC(token, "Responder").
        let proof = try SCRAMHash.sha256.hmac(key: Array(Self.token.secret.utf8), Array("Responder".utf8))
        var forged = machine
        actions = forged.received(
            try element(
                "<success xmlns='urn:xmpp:sasl:2'><additional-data>\(Array(repeating: UInt8(7), count: 32).xmlValue)"
                    + "</additional-data><authorization-identifier>juliet@example.com/x</authorization-identifier>"
                    + "<bound xmlns='urn:xmpp:bind:0'/></success>"))
        #expect(failure(actions)?.code == .saslProtocolError, "an impostor that does not know the token")
        actions = machine.received(
            try element(
                "<success xmlns='urn:xmpp:sasl:2'><additional-data>\(proof.xmlValue)</additional-data>"
                    + "<authorization-identifier>juliet@example.com/x</authorization-identifier>"
                    + "<bound xmlns='urn:xmpp:bind:0'/></success>"))
        #expect(actions == [.maskWire(false), .authenticated(.htSHA256None)])
        #expect(machine.sasl2Outcome?.usedFASTToken == true)
        actions = machine.received(try element(features + "</stream:features>"))
        #expect(actions == [.established(boundJID: JID("juliet@example.com/x")!, mechanism: .htSHA256None)])
    }

    @Test func aRejectedTokenIsReportedAsSuch() throws {
        var machine = try negotiation(sasl2: SASL2.Settings(userAgent: Self.agent, fastToken: Self.token))
        _ = machine.received(try element(offer()))
        let actions = machine.received(
            try element(
                "<failure xmlns='urn:xmpp:sasl:2'><credentials-expired xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"
                    + "<text>token expired</text></failure>"))
        let error = try #require(failure(actions))
        #expect(error.code == .fastTokenRejected)
        #expect(error.condition == "credentials-expired")
        #expect(actions.first == .maskWire(false))
    }

    @Test func aTokenForAMechanismNoLongerOfferedIsNotUsed() throws {
        let token = FASTToken(mechanism: .htSHA256Exporter, secret: "s", expiry: "", clientID: Self.token.clientID)
        var machine = try negotiation(sasl2: SASL2.Settings(userAgent: Self.agent, fastToken: token))
        let authenticate = try #require(sent(machine.received(try element(offer()))).first)
        #expect(authenticate["mechanism"] == "PLAIN")
        #expect(Self.child(authenticate, SASL2.namespace, "user-agent")?["id"] == Self.agent.id)
    }

    @Test func streamManagementInlineThroughBind2() throws {
        var machine = try negotiation(streamManagement: StreamManagement.Settings())
        let authenticate = try #require(
            sent(
                machine.received(
                    try element(offer(bindInline: "<feature var='urn:xmpp:sm:3'/>")))
            ).first)
        let bind = try #require(Self.child(authenticate, SASL2.bindNamespace, "bind"))
        #expect(Self.child(bind, StreamManagement.namespace, "enable")?["resume"] == "true")
        #expect(Self.child(bind, SASL2.carbonsNamespace, "enable") == nil, "carbons were not asked for")
        let enabled = try XMLElement(parsing: "<enabled xmlns='urn:xmpp:sm:3' id='sm-9' resume='1'/>")
        var actions = machine.received(
            try element(
                "<success xmlns='urn:xmpp:sasl:2'><authorization-identifier>juliet@example.com/swift-xmpp~q"
                    + "</authorization-identifier><bound xmlns='urn:xmpp:bind:0'>"
                    + "<enabled xmlns='urn:xmpp:sm:3' id='sm-9' resume='1'/></bound></success>"))
        #expect(actions == [.maskWire(false), .authenticated(.plain)])
        #expect(machine.sasl2Outcome?.enabledInline == [StreamManagement.namespace])
        actions = machine.received(try element(features + "<sm xmlns='urn:xmpp:sm:3'/></stream:features>"))
        #expect(
            actions == [
                .streamManagement(.enabled(enabled)),
                .established(boundJID: JID("juliet@example.com/swift-xmpp~q")!, mechanism: .plain),
            ], "enabled inline: no second <enable/>")
    }

    /// A resumption taken from a stream that was enabled, as a client keeps it.
    static func resumption() throws -> StreamManagement.Resumption {
        var management = StreamManagement()
        _ = management.enabled(
            try XMLElement(parsing: "<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true'/>"),
            boundJID: JID("juliet@example.com/old")!)
        return try #require(management.resumption)
    }

    @Test func inlineResumptionKeepsTheOldResource() throws {
        var machine = try negotiation(streamManagement: StreamManagement.Settings(), resumption: try Self.resumption())
        let authenticate = try #require(sent(machine.received(try element(offer(smInline: true)))).first)
        #expect(Self.child(authenticate, StreamManagement.namespace, "resume")?["previd"] == "sm-1")
        var actions = machine.received(
            try element(
                "<success xmlns='urn:xmpp:sasl:2'><authorization-identifier>juliet@example.com</authorization-identifier>"
                    + "<resumed xmlns='urn:xmpp:sm:3' h='0' previd='sm-1'/></success>"))
        #expect(actions == [.maskWire(false), .authenticated(.plain)])
        actions = machine.received(try element(features + "</stream:features>"))
        #expect(
            actions == [
                .streamManagement(.resumed(handled: 0)),
                .established(boundJID: JID("juliet@example.com/old")!, mechanism: .plain),
            ])
    }

    @Test func aFailedInlineResumptionFallsBackToTheBind2Session() throws {
        var machine = try negotiation(streamManagement: StreamManagement.Settings(), resumption: try Self.resumption())
        _ = machine.received(try element(offer(smInline: true)))
        _ = machine.received(
            try element(
                "<success xmlns='urn:xmpp:sasl:2'><authorization-identifier>juliet@example.com/swift-xmpp~n"
                    + "</authorization-identifier><failed xmlns='urn:xmpp:sm:3' h='0'>"
                    + "<item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>"
                    + "<bound xmlns='urn:xmpp:bind:0'/></success>"))
        let actions = machine.received(try element(features + "<sm xmlns='urn:xmpp:sm:3'/></stream:features>"))
        #expect(actions.first == .streamManagement(.resumeFailed(condition: "item-not-found", handled: 0)))
        #expect(sent(actions).map(\.name) == [StreamManagement.name("enable")], "a new session enables SM")
    }

    @Test func aStreamToResumeIsNotReplacedByABind2Session() throws {
        // SASL2 offers no inline <sm/> (Prosody 0.12): resume the XEP-0198 way after <success/>, bind nothing new.
        var machine = try negotiation(streamManagement: StreamManagement.Settings(), resumption: try Self.resumption())
        let authenticate = try #require(sent(machine.received(try element(offer()))).first)
        #expect(Self.child(authenticate, SASL2.bindNamespace, "bind") == nil)
        #expect(Self.child(authenticate, StreamManagement.namespace, "resume") == nil)
        _ = machine.received(
            try element(
                "<success xmlns='urn:xmpp:sasl:2'><authorization-identifier>juliet@example.com</authorization-identifier>"
                    + "</success>"))
        let actions = machine.received(
            try element(
                features
                    + "<sm xmlns='urn:xmpp:sm:3'/><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"))
        #expect(sent(actions).map(\.name) == [StreamManagement.name("resume")])
    }

    @Test func aFailedInlineResumptionIsReportedBeforeTheInlineEnable() throws {
        var machine = try negotiation(streamManagement: StreamManagement.Settings(), resumption: try Self.resumption())
        _ = machine.received(try element(offer(bindInline: "<feature var='urn:xmpp:sm:3'/>", smInline: true)))
        _ = machine.received(
            try element(
                "<success xmlns='urn:xmpp:sasl:2'><authorization-identifier>juliet@example.com/swift-xmpp~n m"
                    + "</authorization-identifier><failed xmlns='urn:xmpp:sm:3' h='2'>"
                    + "<item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>"
                    + "<bound xmlns='urn:xmpp:bind:0'><enabled xmlns='urn:xmpp:sm:3' id='sm-2' resume='1'/></bound>"
                    + "</success>"))
        let enabled = try XMLElement(parsing: "<enabled xmlns='urn:xmpp:sm:3' id='sm-2' resume='1'/>")
        let actions = machine.received(try element(features + "<sm xmlns='urn:xmpp:sm:3'/></stream:features>"))
        #expect(
            actions == [
                .streamManagement(.resumeFailed(condition: "item-not-found", handled: 2)),
                .streamManagement(.enabled(enabled)),
                .established(boundJID: JID("juliet@example.com/swift-xmpp~n m")!, mechanism: .plain),
            ], "the server's h of the old stream is not lost, and a resource may contain spaces")
    }

    @Test func aConfiguredResourceIsBoundTheRFC6120WayAfterSASL2() throws {
        var machine = try negotiation(jid: JID("juliet@example.com/balcony")!)
        let authenticate = try #require(sent(machine.received(try element(offer()))).first)
        #expect(Self.child(authenticate, SASL2.bindNamespace, "bind") == nil)
        _ = machine.received(
            try element(
                "<success xmlns='urn:xmpp:sasl:2'><authorization-identifier>juliet@example.com</authorization-identifier>"
                    + "</success>"))
        let actions = machine.received(
            try element(features + "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"))
        let request = try IQ(xml: try #require(sent(actions).first))
        #expect(try request.payload(Bind.Bind.self)?.choice == .resource(XMLValueElement("balcony")))
    }

    @Test func channelBindingBeatsARoundTrip() throws {
        // TLS 1.2: RFC 6120 SASL offers SCRAM-SHA-1-PLUS with tls-unique, this server's SASL2 only SCRAM-SHA-1.
        let binding = SASLChannelBinding(kind: .tlsUnique, data: Array(repeating: 1, count: 12))
        var machine = try negotiation(channelBindings: [binding])
        let actions = machine.received(
            try element(
                features + "<authentication xmlns='urn:xmpp:sasl:2'><mechanism>SCRAM-SHA-1</mechanism></authentication>"
                    + "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism>"
                    + "<mechanism>SCRAM-SHA-1-PLUS</mechanism></mechanisms></stream:features>"))
        let auth = try SASL.Auth(xml: try #require(sent(actions).first))
        #expect(auth.mechanism == "SCRAM-SHA-1-PLUS")
    }

    @Test func noSASL2WithoutTLSOrWhenTurnedOff() throws {
        var off = try negotiation(sasl2: nil)
        #expect(sent(off.received(try element(offer()))).first?.name == SASL.Auth.qualifiedName)
        var plaintext = ClientNegotiation(
            settings: .init(
                jid: Self.bare, credentials: .password(username: "juliet", password: Self.password),
                security: .insecurePlaintext,
                mechanismSelector: SASLMechanismSelector(insecureAllowPlainWithoutTLS: true)))
        _ = plaintext.start()
        _ = plaintext.received(
            try #require(
                try XMLStreamParser().parse(
                    Array(
                        ("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
                            + "from='example.com' id='s1' version='1.0'>").utf8)
                ).first))
        #expect(sent(plaintext.received(try element(offer()))).first?.name == SASL.Auth.qualifiedName)
    }

    @Test func tasksAndBindFailuresAreClearErrors() throws {
        var tasks = try negotiation()
        _ = tasks.received(try element(offer()))
        let continued = failure(
            tasks.received(
                try element(
                    "<continue xmlns='urn:xmpp:sasl:2'><tasks><task>TOTP-EXAMPLE</task></tasks></continue>")))
        #expect(continued?.code == .authenticationFailed)
        #expect(continued?.message.contains("TOTP-EXAMPLE") == true)
        var bind = try negotiation()
        _ = bind.received(try element(offer()))
        let refused = failure(
            bind.received(
                try element(
                    "<success xmlns='urn:xmpp:sasl:2'><authorization-identifier>juliet@example.com"
                        + "</authorization-identifier><failed xmlns='urn:xmpp:bind:0'><error type='cancel'>"
                        + "<not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></failed></success>")))
        #expect(refused?.code == .bindFailed)
        var bare = try negotiation()
        _ = bare.received(try element(offer()))
        let noResource = failure(
            bare.received(
                try element(
                    "<success xmlns='urn:xmpp:sasl:2'><authorization-identifier>juliet@example.com"
                        + "</authorization-identifier><bound xmlns='urn:xmpp:bind:0'/></success>")))
        #expect(noResource?.code == .bindFailed)
    }
}
