import Testing
import XMPPExtensions
import XMPPTesting

/// Fixtures decoded into typed values and checked field by field.
@Suite struct TypedPayloadTests {
    func load(_ path: String) throws -> XMLElement {
        let fixture = try #require(allFixtures.first { $0.testDescription == path }, "no fixture \(path)")
        return try fixture.element()
    }

    @Test func discoInfoResult() throws {
        let query = try DiscoInfo.Query(xml: load("disco-info/02-result.xml"))
        #expect(query.node == nil)
        #expect(query.identities.count == 3)
        #expect(query.identities[0].category == "conference")
        #expect(query.identities[0].type == "text")
        #expect(query.identities[2].lang == "de")
        #expect(query.identities[2].name == "Stückspezifische Chaträume")
        #expect(query.features.map(\.`var`).contains("jabber:iq:version"))
        #expect(query.features.count == 7)
        #expect(query.extensions.isEmpty)
    }

    @Test func discoInfoWithDataForms() throws {
        let query = try DiscoInfo.Query(xml: load("disco-info/04-extended-room-info.xml"))
        #expect(query.extensions.count == 2)
        let form = query.extensions[0]
        #expect(form.type == .result)
        #expect(form.fields.first?.type == .hidden)
        #expect(form.fields.first?.values == ["http://jabber.org/protocol/muc#roominfo"])
        #expect(query.extensions[1].fields[1].values == ["ipv4", "ipv6"])
    }

    @Test func messageWithStanzaErrorAndAppSpecificCondition() throws {
        let message = try Message(xml: load("jabber-client/02-message-error.xml"))
        #expect(message.type == .error)
        #expect(message.from == JID("romeo@example.net"))
        #expect(message.bodies.map(\.value) == ["Thy lips are warm."])
        let error = try #require(message.error)
        #expect(error.type == .cancel)
        #expect(error.by == JID("example.net"))
        #expect(error.condition == .gone(StanzaErrors.Gone(value: "xmpp:romeo@afterlife.example.net")))
        #expect(error.text?.value == "Romeo has moved & left no forwarding <address>.")
        #expect(error.text?.lang == "en")
        #expect(error.payloads.map(\.name.localName) == ["custom"])
    }

    @Test func mamResultCarriesAForwardedMessage() throws {
        let result = try MAM.Result(xml: load("mam/03-result.xml"))
        #expect(result.queryid == "f27")
        #expect(result.id == "28482-98726-73623")
        #expect(
            result.forwarded.delay?.stamp == XMLDateTime(year: 2010, month: 7, day: 10, hour: 23, minute: 8, second: 25)
        )
        let message = try #require(result.forwarded.message)
        #expect(message.type == .chat)
        #expect(message.bodies.first?.value.hasPrefix("Call me but love") == true)
        let query = try MAM.Query(xml: load("mam/01-query-filtered.xml"))
        #expect(query.x?.fields.count == 3)
        #expect(query.set?.max == 10)
        #expect(query.set?.after == "09af3-cc343-b409f")
        #expect(query.flipPage)
    }

    @Test func rosterAndStreamManagement() throws {
        let roster = try Roster.Query(xml: load("roster/01-query-result.xml"))
        #expect(roster.ver == "ver11")
        #expect(
            roster.items.map(\.jid.description) == [
                "romeo@example.net", "mercutio@example.com", "nurse@example.com", "benvolio@example.net",
            ])
        #expect(roster.items[0].subscription == .both)
        #expect(roster.items[0].groups == ["Friends", "Montague & Co."])
        #expect(roster.items[1].approved == true)
        #expect(roster.items[2].ask == .subscribe)
        #expect(roster.items[2].groups == ["Služebnictvo"])
        let enabled = try StreamManagement.Enabled(xml: load("stream-management/05-enabled.xml"))
        #expect(enabled.resume == true)  // written as '1'
        #expect(enabled.max == 600)
        #expect(enabled.xmlElement()["resume"] == "1")  // and written back as '1'
        var changed = enabled
        changed.resume = false
        #expect(changed.xmlElement()["resume"] == "false")
    }

    @Test func decodingErrorsNameThePath() throws {
        let bad = try XMLElement(
            parsing: """
                <query xmlns='jabber:iq:roster'><item jid='a@b' subscription='both' approved='maybe'/></query>
                """)
        do {
            _ = try Roster.Query(xml: bad)
            Issue.record("decoded invalid input")
        } catch {
            #expect(error.path.map(\.localName) == ["query", "item"])
            #expect(error.attribute?.localName == "approved")
            #expect(error.description.contains("expected a boolean"))
        }
        let missing = try XMLElement(parsing: "<iq xmlns='jabber:client' type='get'/>")
        #expect(throws: XMLDecodingError.self) { try IQ(xml: missing) }
        let badType = try XMLElement(parsing: "<iq xmlns='jabber:client' type='fetch' id='1'/>")
        do {
            _ = try IQ(xml: badType)
            Issue.record("decoded an iq of type 'fetch'")
        } catch {
            #expect(error.description.contains("one of: get, set, result, error"))
        }
    }

    @Test func unknownContentSurvives() throws {
        let input = try XMLElement(
            parsing: """
                <message xmlns='jabber:client' to='a@b' type='chat' x-custom='1'><body>hi</body>\
                <active xmlns='http://jabber.org/protocol/chatstates'/><thread>t</thread>\
                <future xmlns='jabber:client'>new core child</future></message>
                """)
        let message = try Message(xml: input)
        #expect(message.unknownAttributes == [XMLAttribute("x-custom", "1")])
        #expect(message.unknownChildren.map(\.name.localName) == ["future"])
        #expect(message.payloads.map(\.name.localName) == ["active"])
        let output = message.xmlElement()
        #expect(output["x-custom"] == "1")
        #expect(output.firstChild("future")?.text == "new core child")
    }

    @Test func payloadsOnStanzasAreOneCall() throws {
        var message = Message(to: JID("juliet@example.com"), type: .chat, bodies: [.init(value: "Hi")])
        message.addPayload(ChatStates.Active())
        message.addPayload(Receipts.Request())
        #expect(message.hasPayload(ChatStates.Active.self))
        #expect(try message.payload(Receipts.Request.self) != nil)
        #expect(try message.payload(Ping.Ping.self) == nil)
        let wire = message.xmlElement()
        #expect(wire.elements.map(\.name.localName) == ["body", "active", "request"])
        let decoded = try Message(xml: try XMLElement(parsing: XMLSerializer().string(for: wire)))
        #expect(decoded == message)
        message.removePayloads(ChatStates.Active.self)
        #expect(!message.hasPayload(ChatStates.Active.self))
        // Through the registry, without knowing the type at compile time.
        let request = try #require(Array(wire.elements).last)
        let payload = try #require(try registry.decode(request))
        #expect(payload is Receipts.Request)
    }
}
