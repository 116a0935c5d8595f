import Testing
import XMPPExtensions
import XMPPTesting

/// The fixture at `schema/NN-file.xml`, parsed.
func load(_ path: String) throws -> XMLElement {
    let fixture = try #require(allFixtures.first { $0.testDescription == path }, "no fixture \(path)")
    return try fixture.element()
}

/// The local names of some elements, in order.
func localNames(_ elements: [XMLElement]) -> [String] {
    elements.map(\.name.localName)
}

/// Core fixtures (RFC 6120, RFC 6121) decoded into typed values and checked field by field.
@Suite struct CorePayloadTests {
    // MARK: jabber:client

    @Test func messageChat() throws {
        let message = try Message(xml: load("jabber-client/01-message-chat.xml"))
        #expect(message.from == JID("juliet@example.com/balcony"))
        #expect(message.to == JID("romeo@example.net"))
        #expect(message.id == "jk3v47gw")
        #expect(message.type == .chat)
        #expect(message.lang == "en")
        #expect(message.subjects.map(\.value) == ["I implore you!", "Úpěnlivě prosím!"])
        #expect(message.subjects.map(\.lang) == [nil, "cs"])
        #expect(message.bodies.map(\.value) == ["Wherefore art thou, Romeo?", "Pročež jsi ty, Romeo?"])
        #expect(message.bodies.map(\.lang) == [nil, "cs"])
        #expect(message.thread?.value == "0e3141cd80894871a68e6fe6b1ec56fa")
        #expect(message.thread?.parent == "e0ffe42b28561960c6b12b944a092794b9683a38")
        #expect(message.error == nil)
        #expect(localNames(message.payloads) == ["html"])
        #expect(message.payloads.first?.name.namespace == "http://jabber.org/protocol/xhtml-im")
        let xhtmlBody = try #require(
            message.payloads.first?.firstChild("body", namespace: "http://www.w3.org/1999/xhtml"))
        #expect(xhtmlBody.name.namespace == "http://www.w3.org/1999/xhtml")
        #expect(message.unknownChildren.isEmpty)
        #expect(message.unknownAttributes.isEmpty)
    }

    @Test func presenceShowStatus() throws {
        let presence = try Presence(xml: load("jabber-client/03-presence-show-status.xml"))
        #expect(presence.from == JID("romeo@example.net/orchard"))
        #expect(presence.to == nil)
        #expect(presence.id == "jx62vs97")
        #expect(presence.type == nil)
        #expect(presence.lang == "en")
        #expect(presence.show == .dnd)
        #expect(presence.statuses.map(\.value) == ["Wooing Juliet", "Dvořím se Julii"])
        #expect(presence.statuses.map(\.lang) == [nil, "cs"])
        #expect(presence.priority == -1)
        #expect(localNames(presence.payloads) == ["c"])
        let caps = try #require(try presence.payload(EntityCapabilities.C.self))
        #expect(caps.hash2 == "sha-1")
        #expect(caps.node == "http://psi-im.org")
        #expect(caps.ver == "q07IKJEyjvHSyhy//CH0CxmKi8w=")
        #expect(presence.error == nil)
    }

    @Test func presenceSubscribe() throws {
        let presence = try Presence(xml: load("jabber-client/04-presence-subscribe.xml"))
        #expect(presence.type == .subscribe)
        #expect(presence.id == "uc51xs63")
        #expect(presence.to == JID("nurse@example.com"))
        #expect(presence.from == nil)
        #expect(presence.show == nil)
        #expect(presence.priority == nil)
        #expect(presence.statuses.map(\.value) == ["Hi, Juliet told me to add you to my buddy list."])
        #expect(presence.payloads.isEmpty)
    }

    @Test func iqGet() throws {
        let iq = try IQ(xml: load("jabber-client/05-iq-get.xml"))
        #expect(iq.type == .get)
        #expect(iq.id == "h83vxa4c")
        #expect(iq.from == JID("juliet@im.example.com/balcony"))
        #expect(iq.to == JID("service.example.com"))
        #expect(iq.lang == "en")
        #expect(iq.error == nil)
        let query = try #require(iq.payloads.first)
        #expect(iq.payloads.count == 1)
        #expect(query.name == XMLName(namespace: "urn:example:unknown", localName: "query"))
        #expect(query["a"] == "1")
        #expect(localNames(Array(query.elements)) == ["x"])
    }

    @Test func iqSet() throws {
        let iq = try IQ(xml: load("jabber-client/06-iq-set.xml"))
        #expect(iq.type == .set)
        #expect(iq.id == "wy2xa82b4")
        #expect(iq.from == nil)
        #expect(iq.to == nil)
        #expect(iq.lang == nil)
        let custom = try #require(iq.payloads.first)
        #expect(custom.name == XMLName(namespace: "urn:example:unknown", localName: "custom"))
        #expect(custom.firstChild("x")?.text == "value")
        let other = try #require(custom.firstChild("y", namespace: "urn:example:other"))
        #expect(other["b"] == "2")
    }

    @Test func iqResult() throws {
        let iq = try IQ(xml: load("jabber-client/07-iq-result.xml"))
        #expect(iq.type == .result)
        #expect(iq.id == "h83vxa4c")
        #expect(iq.from == JID("service.example.com"))
        #expect(iq.to == JID("juliet@im.example.com/balcony"))
        let query = try #require(iq.payloads.first)
        let items = Array(query.elements)
        #expect(items.map { $0["name"] } == ["first", "second"])
        #expect(items.map(\.text) == ["", "text"])
    }

    @Test func iqError() throws {
        let iq = try IQ(xml: load("jabber-client/08-iq-error.xml"))
        #expect(iq.type == .error)
        #expect(iq.id == "ixc3v1b9")
        #expect(iq.from == JID("service.example.com"))
        #expect(localNames(iq.payloads) == ["custom"])
        let error = try #require(iq.error)
        #expect(error.type == .modify)
        #expect(error.by == nil)
        #expect(error.condition == .badRequest)
        #expect(error.text?.value == "Too many parameters")
        #expect(error.text?.lang == "en")
        #expect(
            error.payloads.map(\.name) == [
                XMLName(namespace: "http://example.org/ns", localName: "too-many-parameters")
            ])
    }

    // MARK: Streams

    @Test func featuresBeforeTLS() throws {
        let features = try Streams.Features(xml: load("streams/01-features-before-tls.xml"))
        #expect(localNames(features.payloads) == ["starttls"])
        let starttls = try StartTLS.Starttls(xml: features.payloads[0])
        #expect(starttls.required)
    }

    @Test func featuresAfterTLS() throws {
        let features = try Streams.Features(xml: load("streams/02-features-after-tls.xml"))
        #expect(localNames(features.payloads) == ["mechanisms", "custom"])
        let mechanisms = try SASL.Mechanisms(xml: features.payloads[0])
        #expect(mechanisms.mechanisms == ["SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", "PLAIN"])
        #expect(features.payloads[1].name.namespace == "urn:example:unknown")
        #expect(features.payloads[1]["a"] == "1")
        #expect(features.unknownChildren.isEmpty)
    }

    @Test func featuresAfterSASL() throws {
        let features = try Streams.Features(xml: load("streams/03-features-after-sasl.xml"))
        #expect(localNames(features.payloads) == ["bind", "session", "ver"])
        let bind = try Bind.Bind(xml: features.payloads[0])
        #expect(bind.choice == nil)
        let session = try Session.Session(xml: features.payloads[1])
        #expect(session.optional)
        _ = try RosterVersioning.Ver(xml: features.payloads[2])
    }

    @Test func streamErrorAppSpecific() throws {
        let error = try Streams.Error(xml: load("streams/04-error-app-specific.xml"))
        #expect(error.condition == .notWellFormed)
        #expect(error.text?.value == "Some special application diagnostic information!")
        #expect(error.text?.lang == "en")
        #expect(
            error.payloads.map(\.name) == [XMLName(namespace: "http://example.org/ns", localName: "escape-your-data")])
    }

    @Test func streamErrorSeeOtherHost() throws {
        let error = try Streams.Error(xml: load("streams/05-error-see-other-host.xml"))
        guard case .seeOtherHost(let host) = error.condition else {
            Issue.record("condition is \(error.condition)")
            return
        }
        #expect(host.value == "im2.example.com:5222")
        #expect(error.text == nil)
        #expect(error.payloads.isEmpty)
    }

    @Test func wholeStream() throws {
        let stream = try Streams.Stream(xml: load("streams/06-stream.xml"))
        #expect(stream.from == JID("im.example.com"))
        #expect(stream.to == JID("juliet@im.example.com"))
        #expect(stream.id == "++TR84Sm6A3hnt3Q065SnAbbk3Y=")
        #expect(stream.version == "1.0")
        #expect(stream.lang == "en")
        #expect(stream.features?.payloads.isEmpty == true)
        #expect(localNames(stream.payloads) == ["message"])
        let message = try Message(xml: stream.payloads[0])
        #expect(message.from == JID("romeo@example.net/orchard"))
        #expect(message.to == JID("juliet@im.example.com/balcony"))
        #expect(message.bodies.map(\.value) == ["Neither, fair saint, if either thee dislike."])
        #expect(stream.error?.condition == .connectionTimeout)
    }

    // MARK: Stream errors

    @Test func streamErrorConditions() throws {
        let host = try StreamErrors.SeeOtherHost(xml: load("stream-errors/01-see-other-host.xml"))
        #expect(host.value == "[2001:41D0:1:A49b::1]:9222")
        let text = try StreamErrors.Text(xml: load("stream-errors/02-text.xml"))
        #expect(text.lang == "en")
        #expect(text.value == "Some special application diagnostic information!")
        let notWellFormed = try StreamErrors.NotWellFormed(xml: load("stream-errors/03-not-well-formed.xml"))
        #expect(notWellFormed.unknownChildren.isEmpty && notWellFormed.unknownAttributes.isEmpty)
        let shutdown = try StreamErrors.SystemShutdown(xml: load("stream-errors/04-system-shutdown.xml"))
        #expect(shutdown.unknownChildren.isEmpty && shutdown.unknownAttributes.isEmpty)
        #expect(throws: XMLDecodingError.self) {
            try StreamErrors.SystemShutdown(xml: load("stream-errors/03-not-well-formed.xml"))
        }
    }

    // MARK: Stanza errors

    @Test func stanzaErrorConditions() throws {
        let gone = try StanzaErrors.Gone(xml: load("stanza-errors/01-gone.xml"))
        #expect(gone.value == "xmpp:romeo@afterlife.example.net")
        let redirect = try StanzaErrors.Redirect(xml: load("stanza-errors/02-redirect.xml"))
        #expect(redirect.value == "xmpp:characters@conference.example.org")
        let text = try StanzaErrors.Text(xml: load("stanza-errors/03-text.xml"))
        #expect(text.lang == "cs")
        #expect(text.value == "Místnost je plná & zavřená")
        let unavailable = try StanzaErrors.ServiceUnavailable(xml: load("stanza-errors/04-service-unavailable.xml"))
        #expect(unavailable.unknownChildren.isEmpty && unavailable.unknownAttributes.isEmpty)
        let undefined = try StanzaErrors.UndefinedCondition(xml: load("stanza-errors/05-undefined-condition.xml"))
        #expect(undefined.unknownChildren.isEmpty && undefined.unknownAttributes.isEmpty)
        #expect(throws: XMLDecodingError.self) {
            try StanzaErrors.ServiceUnavailable(xml: load("stanza-errors/05-undefined-condition.xml"))
        }
    }

    // MARK: STARTTLS

    @Test func starttls() throws {
        let required = try StartTLS.Starttls(xml: load("starttls/01-feature-required.xml"))
        #expect(required.required)
        #expect(required.unknownChildren.isEmpty)
        let command = try StartTLS.Starttls(xml: load("starttls/02-command.xml"))
        #expect(!command.required)
        let proceed = try StartTLS.Proceed(xml: load("starttls/03-proceed.xml"))
        #expect(proceed.unknownChildren.isEmpty && proceed.unknownAttributes.isEmpty)
        let failure = try StartTLS.Failure(xml: load("starttls/04-failure.xml"))
        #expect(failure.unknownChildren.isEmpty && failure.unknownAttributes.isEmpty)
    }

    // MARK: SASL

    @Test func saslMechanisms() throws {
        let mechanisms = try SASL.Mechanisms(xml: load("sasl/01-mechanisms.xml"))
        #expect(mechanisms.mechanisms == ["EXTERNAL", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", "PLAIN"])
        #expect(
            mechanisms.payloads.map(\.name) == [
                XMLName(namespace: "urn:xmpp:domain-based-name:1", localName: "hostname")
            ])
        #expect(mechanisms.payloads.first?.text == "auth42.us.example.com")
    }

    @Test func saslExchange() throws {
        let auth = try SASL.Auth(xml: load("sasl/02-auth-scram.xml"))
        #expect(auth.mechanism == "SCRAM-SHA-1")
        #expect(auth.value == "biwsbj1qdWxpZXQscj1vTXNUQUF3QUFBQU1BQUFBTlAwVEFBQUFBQUJQVTBBQQ==")
        let challenge = try SASL.Challenge(xml: load("sasl/03-challenge.xml"))
        #expect(
            challenge.value
                == "cj1vTXNUQUF3QUFBQU1BQUFBTlAwVEFBQUFBQUJQVTBBQWUxMjQ2OTViLTY5YTktNGRlNi05YzMwLWI1MWIzOD"
                + "A4YzU5ZSxzPU5qaGtZVE0wTURndE5HWTBaaTAwTmpkbUxUa3hNbVV0TkRsbU5UTm1ORE5rTURNeixpPTQwOTY=")
        let response = try SASL.Response(xml: load("sasl/04-response.xml"))
        #expect(
            response.value
                == "Yz1iaXdzLHI9b01zVEFBd0FBQUFNQUFBQU5QMFRBQUFBQUFCUFUwQUFlMTI0Njk1Yi02OWE5"
                + "LTRkZTYtOWMzMC1iNTFiMzgwOGM1OWUscD1VQTU3dE0vU3ZwQVRCa0gyRlhzMFdEWHZKWXc9")
        let success = try SASL.Success(xml: load("sasl/05-success.xml"))
        #expect(success.value == "dj1wTk5ERlZFUXh1WHhDb1NFaVc4R0VaKzFSU289")
        let empty = try SASL.Auth(xml: load("sasl/08-auth-empty-response.xml"))
        #expect(empty.mechanism == "EXTERNAL")
        #expect(empty.value == "=")
    }

    @Test func saslFailureAndAbort() throws {
        let failure = try SASL.Failure(xml: load("sasl/06-failure-text.xml"))
        #expect(failure.condition == .accountDisabled)
        #expect(failure.text?.lang == "en")
        #expect(failure.text?.value == "Call 212-555-1212 for assistance.")
        let abort = try SASL.Abort(xml: load("sasl/07-abort.xml"))
        #expect(abort.unknownChildren.isEmpty && abort.unknownAttributes.isEmpty)
    }

    // MARK: Bind, session, roster

    @Test func bind() throws {
        let feature = try Bind.Bind(xml: load("bind/01-feature.xml"))
        #expect(feature.choice == nil)
        let request = try Bind.Bind(xml: load("bind/02-request-resource.xml"))
        #expect(request.choice == .resource(XMLValueElement("balcony")))
        let result = try Bind.Bind(xml: load("bind/03-result-jid.xml"))
        #expect(result.choice == .jid(XMLValueElement("juliet@im.example.com/balcony")))
    }

    @Test func session() throws {
        let feature = try Session.Session(xml: load("session/01-feature-optional.xml"))
        #expect(feature.optional)
        let request = try Session.Session(xml: load("session/02-request.xml"))
        #expect(!request.optional)
        #expect(request.unknownChildren.isEmpty)
    }

    @Test func rosterVersioningFeature() throws {
        let ver = try RosterVersioning.Ver(xml: load("roster-versioning/01-feature.xml"))
        #expect(ver.unknownChildren.isEmpty && ver.unknownAttributes.isEmpty)
        #expect(RosterVersioning.Ver.qualifiedName.namespace == "urn:xmpp:features:rosterver")
    }

    @Test func rosterPush() throws {
        let push = try Roster.Query(xml: load("roster/02-push.xml"))
        #expect(push.ver == "ver72")
        #expect(push.items.count == 1)
        let item = try #require(push.items.first)
        #expect(item.jid == JID("nurse@example.org"))
        #expect(item.name == "Nurse")
        #expect(item.subscription == .to)
        #expect(item.ask == nil)
        #expect(item.approved == nil)
        #expect(item.groups == ["Servants"])
    }

    @Test func rosterPushRemove() throws {
        let push = try Roster.Query(xml: load("roster/03-push-remove.xml"))
        #expect(push.ver == "ver34")
        #expect(push.items.map(\.jid) == [try JID(parsing: "tybalt@example.org")])
        #expect(push.items.first?.subscription == .remove)
        #expect(push.items.first?.name == nil)
        #expect(push.items.first?.groups == [])
    }

    @Test func rosterGets() throws {
        let withVer = try Roster.Query(xml: load("roster/04-get-with-ver.xml"))
        #expect(withVer.ver == "ver14")
        #expect(withVer.items.isEmpty)
        let plain = try Roster.Query(xml: load("roster/05-get.xml"))
        #expect(plain.ver == nil)
        #expect(plain.items.isEmpty)
    }
}
