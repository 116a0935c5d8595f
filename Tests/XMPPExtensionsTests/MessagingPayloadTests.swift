import Testing
import XMPPExtensions
import XMPPTesting

/// Messaging extensions decoded and checked field by field: chat states (XEP-0085), receipts (XEP-0184),
/// carbons (XEP-0280), forwarding (XEP-0297), delay (XEP-0203), correction (XEP-0308), stanza ids (XEP-0359),
/// message archive management (XEP-0313) and out-of-band data (XEP-0066).
@Suite struct MessagingPayloadTests {
    // MARK: Chat states

    @Test func chatStates() throws {
        let active = try ChatStates.Active(xml: load("chat-states/01-active.xml"))
        #expect(active.unknownAttributes.isEmpty && active.unknownChildren.isEmpty)
        let composing = try ChatStates.Composing(xml: load("chat-states/02-composing.xml"))
        #expect(composing.unknownAttributes.isEmpty && composing.unknownChildren.isEmpty)
        let paused = try ChatStates.Paused(xml: load("chat-states/03-paused.xml"))
        #expect(paused.unknownAttributes.isEmpty && paused.unknownChildren.isEmpty)
        let inactive = try ChatStates.Inactive(xml: load("chat-states/04-inactive.xml"))
        #expect(inactive.unknownAttributes.isEmpty && inactive.unknownChildren.isEmpty)
        let gone = try ChatStates.Gone(xml: load("chat-states/05-gone.xml"))
        #expect(gone.unknownAttributes.isEmpty && gone.unknownChildren.isEmpty)
        // Each state is its own element: one does not decode as another.
        #expect(throws: XMLDecodingError.self) { try ChatStates.Active(xml: load("chat-states/02-composing.xml")) }
        #expect(try registry.decode(load("chat-states/03-paused.xml")) is ChatStates.Paused)
    }

    // MARK: Receipts

    @Test func receipts() throws {
        let request = try Receipts.Request(xml: load("receipts/01-request.xml"))
        #expect(request.unknownAttributes.isEmpty && request.unknownChildren.isEmpty)
        let received = try Receipts.Received(xml: load("receipts/02-received.xml"))
        #expect(received.id == "richard2-4.1.247")
        #expect(received.unknownAttributes.isEmpty)
    }

    // MARK: Carbons

    @Test func carbonsControl() throws {
        let enable = try Carbons.Enable(xml: load("carbons/01-enable.xml"))
        #expect(enable.unknownAttributes.isEmpty && enable.unknownChildren.isEmpty)
        let disable = try Carbons.Disable(xml: load("carbons/02-disable.xml"))
        #expect(disable.unknownAttributes.isEmpty && disable.unknownChildren.isEmpty)
        let hint = try Carbons.Private(xml: load("carbons/03-private.xml"))
        #expect(hint.unknownAttributes.isEmpty && hint.unknownChildren.isEmpty)
        #expect(throws: XMLDecodingError.self) { try Carbons.Enable(xml: load("carbons/02-disable.xml")) }
    }

    // MARK: Hints and direct invitations

    @Test func processingHintsAreEmptyMarks() throws {
        let noCopy = try ProcessingHints.NoCopy(xml: load("hints/03-no-copy.xml"))
        #expect(noCopy.unknownAttributes.isEmpty && noCopy.unknownChildren.isEmpty)
        _ = try ProcessingHints.NoPermanentStore(xml: load("hints/01-no-permanent-store.xml"))
        _ = try ProcessingHints.NoStore(xml: load("hints/02-no-store.xml"))
        _ = try ProcessingHints.Store(xml: load("hints/04-store.xml"))
        #expect(throws: XMLDecodingError.self) { try ProcessingHints.Store(xml: load("hints/03-no-copy.xml")) }
    }

    @Test func aDirectInvitationNamesTheRoom() throws {
        let invitation = try DirectMUCInvitations.X(xml: load("conference/01-invitation.xml"))
        #expect(invitation.jid == "garden@rooms.example.com")
        #expect(invitation.password == "thorn")
        #expect(invitation.reason == "The roses are out, come and see")
        #expect(invitation.continue == nil)
        let continued = try DirectMUCInvitations.X(xml: load("conference/02-continue.xml"))
        #expect(continued.continue == true)
        #expect(continued.thread == "t-2026-12-03-orchard")
        // The room's JID is required.
        #expect(throws: XMLDecodingError.self) {
            try DirectMUCInvitations.X(xml: XMLElement(parsing: "<x xmlns='jabber:x:conference' reason='r'/>"))
        }
    }

    @Test func markersRetractionsAndFallbacks() throws {
        #expect(try ChatMarkers.Displayed(xml: load("chat-markers/02-displayed.xml")).id == "msg-2026-12-03-1")
        _ = try ChatMarkers.Markable(xml: load("chat-markers/01-markable.xml"))
        #expect(try MessageRetraction.Retract(xml: load("message-retract/01-retract.xml")).id == "origin-7f3a")
        let tombstone = try MessageRetraction.Retracted(xml: load("message-retract/02-retracted.xml"))
        #expect(tombstone.by == "juliet@example.com")
        #expect(tombstone.stamp?.description == "2026-12-03T10:15:00Z")
        let whole = try FallbackIndication.Fallback(xml: load("fallback/01-whole-body.xml"))
        #expect(whole.for == "urn:xmpp:message-retract:1" && whole.bodies.isEmpty)
        let part = try FallbackIndication.Fallback(xml: load("fallback/02-part-of-body.xml"))
        #expect(part.bodies.first?.start == 0 && part.bodies.first?.end == 21)
        // A marker names what it marks.
        #expect(throws: XMLDecodingError.self) {
            try ChatMarkers.Displayed(xml: XMLElement(parsing: "<displayed xmlns='urn:xmpp:chat-markers:0'/>"))
        }
    }

    @Test func carbonReceived() throws {
        let received = try Carbons.Received(xml: load("carbons/04-received.xml"))
        #expect(received.forwarded.delay == nil)
        #expect(received.forwarded.presence == nil)
        #expect(received.forwarded.iq == nil)
        let message = try #require(received.forwarded.message)
        #expect(message.from == JID("juliet@capulet.example/balcony"))
        #expect(message.to == JID("romeo@montague.example/garden"))
        #expect(message.type == .chat)
        #expect(
            message.bodies.map(\.value) == [
                "What man art thou that, thus bescreen'd in night, so stumblest on my counsel?"
            ])
        #expect(message.thread?.value == "0e3141cd80894871a68e6fe6b1ec56fa")
        #expect(message.thread?.parent == nil)
    }

    @Test func carbonSent() throws {
        let sent = try Carbons.Sent(xml: load("carbons/05-sent.xml"))
        let message = try #require(sent.forwarded.message)
        #expect(message.from == JID("romeo@montague.example/home"))
        #expect(message.to == JID("juliet@capulet.example/balcony"))
        #expect(message.type == .chat)
        #expect(message.bodies.map(\.value) == ["Neither, fair saint, if either thee dislike."])
        #expect(message.thread?.value == "0e3141cd80894871a68e6fe6b1ec56fa")
        #expect(sent.forwarded.payloads.isEmpty)
    }

    // MARK: Forwarding

    @Test func forwardedMessage() throws {
        let forwarded = try Forwarding.Forwarded(xml: load("forward/01-forwarded-message.xml"))
        let delay = try #require(forwarded.delay)
        #expect(delay.stamp == XMLDateTime(year: 2010, month: 7, day: 10, hour: 23, minute: 8, second: 25))
        #expect(delay.from == nil)
        #expect(delay.value == "")
        let message = try #require(forwarded.message)
        #expect(message.from == JID("juliet@capulet.lit/orchard"))
        #expect(message.to == JID("romeo@montague.lit"))
        #expect(message.id == "0202197")
        #expect(message.type == .chat)
        #expect(message.bodies.map(\.value) == ["Yet I should kill thee with much cherishing."])
        #expect(
            message.payloads.map(\.name) == [XMLName(namespace: "http://jabber.org/protocol/mood", localName: "mood")])
        #expect(message.payloads.first.map { localNames(Array($0.elements)) } == ["amorous"])
        #expect(forwarded.presence == nil)
        #expect(forwarded.iq == nil)
    }

    @Test func forwardedPresence() throws {
        let forwarded = try Forwarding.Forwarded(xml: load("forward/02-forwarded-presence.xml"))
        #expect(forwarded.delay == nil)
        #expect(forwarded.message == nil)
        let presence = try #require(forwarded.presence)
        #expect(presence.from == JID("juliet@capulet.lit/balcony"))
        #expect(presence.type == nil)
        #expect(presence.show == .away)
        #expect(presence.statuses.map(\.value) == ["Träumend auf dem Balkon ☾"])
    }

    @Test func forwardedIQ() throws {
        let forwarded = try Forwarding.Forwarded(xml: load("forward/03-forwarded-iq.xml"))
        let delay = try #require(forwarded.delay)
        #expect(delay.from == JID("montague.lit"))
        #expect(
            delay.stamp == XMLDateTime(year: 2010, month: 7, day: 10, hour: 23, minute: 8, second: 25, fraction: "042"))
        #expect(delay.stamp.fraction == "042")
        #expect(delay.value == "Relayed")
        let iq = try #require(forwarded.iq)
        #expect(iq.type == .get)
        #expect(iq.id == "ping1")
        #expect(iq.from == JID("romeo@montague.lit/orchard"))
        #expect(iq.to == JID("montague.lit"))
        #expect(iq.hasPayload(Ping.Ping.self))
        #expect(iq.payloads.count == 1)
    }

    @Test func forwardedServerStanza() throws {
        let forwarded = try Forwarding.Forwarded(xml: load("forward/04-forwarded-server-stanza.xml"))
        // A jabber:server stanza is not a jabber:client message: it is kept as a payload element.
        #expect(forwarded.message == nil)
        #expect(forwarded.delay == nil)
        let stanza = try #require(forwarded.payloads.first)
        #expect(forwarded.payloads.count == 1)
        #expect(stanza.name == XMLName(namespace: "jabber:server", localName: "message"))
        #expect(stanza["from"] == "juliet@capulet.lit/orchard")
        #expect(stanza["type"] == "normal")
        #expect(stanza.childText("body", namespace: "jabber:server") == "Hi")
        #expect(stanza.firstChild("custom", namespace: "urn:example:unknown")?["a"] == "1")
        #expect(forwarded.unknownChildren.isEmpty)
    }

    // MARK: Delay

    @Test func delayOfflineStorage() throws {
        let delay = try Delay.Delay(xml: load("delay/01-offline-storage.xml"))
        #expect(delay.from == JID("capulet.com"))
        #expect(delay.stamp == XMLDateTime(year: 2002, month: 9, day: 10, hour: 23, minute: 8, second: 25))
        #expect(delay.stamp.offsetMinutes == 0)
        #expect(delay.value == "Offline Storage")
    }

    @Test func delayPresence() throws {
        let delay = try Delay.Delay(xml: load("delay/02-presence.xml"))
        #expect(delay.from == JID("juliet@capulet.com/balcony"))
        #expect(delay.stamp.xmlValue == "2002-09-10T23:41:07Z")
        #expect(delay.stamp.minute == 41)
        #expect(delay.value == "")
    }

    @Test func delayWithoutFrom() throws {
        let delay = try Delay.Delay(xml: load("delay/03-no-from-non-ascii.xml"))
        #expect(delay.from == nil)
        #expect(
            delay.stamp == XMLDateTime(year: 2002, month: 9, day: 10, hour: 23, minute: 5, second: 37, fraction: "5"))
        #expect(delay.value == "Zwischengespeichert – ünterwegs")
    }

    // MARK: Correction

    @Test func correction() throws {
        let replace = try MessageCorrection.Replace(xml: load("message-correct/01-replace.xml"))
        #expect(replace.id == "bad1")
        let nonASCII = try MessageCorrection.Replace(xml: load("message-correct/02-replace-non-ascii-id.xml"))
        #expect(nonASCII.id == "nachricht-ä1&2")
    }

    // MARK: Stanza ids

    @Test func stanzaIDs() throws {
        let stanzaID = try StanzaID.StanzaId(xml: load("stanza-id/01-stanza-id.xml"))
        #expect(stanzaID.id == "de305d54-75b4-431b-adb2-eb6b9e546013")
        #expect(stanzaID.by == JID("room@muc.example.com"))
        let origin = try StanzaID.OriginId(xml: load("stanza-id/02-origin-id.xml"))
        #expect(origin.id == "de305d54-75b4-431b-adb2-eb6b9e546013")
        let referenced = try StanzaID.ReferencedStanza(xml: load("stanza-id/03-referenced-stanza.xml"))
        #expect(referenced.id == "xep359-stanza-id")
        #expect(referenced.by == JID("muc.example.org"))
        let nonASCII = try StanzaID.StanzaId(xml: load("stanza-id/04-stanza-id-non-ascii-by.xml"))
        #expect(nonASCII.id == "5f3dbc5e-e1d3-4077-a492-693f3769c7ad")
        #expect(nonASCII.by == JID("jürgen@exämple.de"))
        #expect(nonASCII.by.localpart == "jürgen")
        #expect(nonASCII.by.domainpart == "exämple.de")
    }

    // MARK: Message archive management

    @Test func mamQueryFilteredInFull() throws {
        let query = try MAM.Query(xml: load("mam/01-query-filtered.xml"))
        #expect(query.queryid == "f27")
        #expect(query.node == "princely_musings")
        let form = try #require(query.x)
        #expect(form.type == .submit)
        #expect(form.fields.map(\.`var`) == ["FORM_TYPE", "with", "start"])
        #expect(form.fields.map(\.values) == [["urn:xmpp:mam:2"], ["juliet@capulet.lit"], ["2010-08-07T00:00:00Z"]])
        #expect(form.fields[0].type == .hidden)
        #expect(query.set?.before == nil)
        #expect(query.flipPage)
    }

    @Test func mamQueryEmpty() throws {
        let query = try MAM.Query(xml: load("mam/02-query-empty.xml"))
        #expect(query.queryid == nil)
        #expect(query.node == nil)
        #expect(query.x == nil)
        #expect(query.set == nil)
        #expect(!query.flipPage)
    }

    @Test func mamResultInFull() throws {
        let result = try MAM.Result(xml: load("mam/03-result.xml"))
        let message = try #require(result.forwarded.message)
        #expect(message.to == JID("juliet@capulet.lit/balcony"))
        #expect(message.from == JID("romeo@montague.lit/orchard"))
        #expect(
            message.bodies.map(\.value) == [
                "Call me but love, and I'll be new baptized; Henceforth I never will be Romeo."
            ])
        #expect(result.forwarded.delay?.from == nil)
    }

    @Test func mamFin() throws {
        let fin = try MAM.Fin(xml: load("mam/04-fin.xml"))
        #expect(fin.complete == true)
        #expect(fin.stable == false)
        #expect(fin.set.first?.index == 0)
        #expect(fin.set.first?.value == "23452-4534-1")
        #expect(fin.set.last == "390-2342-22")
        #expect(fin.set.count == 16)
    }

    @Test func mamMetadata() throws {
        let metadata = try MAM.Metadata(xml: load("mam/05-metadata.xml"))
        #expect(metadata.start?.id == "YWxwaGEg")
        #expect(metadata.start?.timestamp == XMLDateTime(year: 2008, month: 8, day: 22, hour: 21, minute: 9, second: 4))
        #expect(metadata.end?.id == "b21lZ2Eg")
        #expect(metadata.end?.timestamp.xmlValue == "2020-04-20T14:34:21Z")
    }

    @Test func mamPrefs() throws {
        let prefs = try MAM.Prefs(xml: load("mam/06-prefs.xml"))
        #expect(prefs.default == .roster)
        #expect(prefs.always?.jids == [JID("romeo@montague.lit"), JID("mercutio@verona.lit/straße")].compactMap { $0 })
        #expect(prefs.always?.jids.count == 2)
        #expect(prefs.always?.jids.last?.resourcepart == "straße")
        #expect(prefs.never?.jids == [try JID(parsing: "montague@montague.lit")])
    }

    @Test func mamPrefsEmptyLists() throws {
        let prefs = try MAM.Prefs(xml: load("mam/07-prefs-always-empty-lists.xml"))
        #expect(prefs.default == .always)
        #expect(prefs.always?.jids == [])
        #expect(prefs.never?.jids == [])
    }

    @Test func mamPrefsNever() throws {
        let prefs = try MAM.Prefs(xml: load("mam/08-prefs-never.xml"))
        #expect(prefs.default == .never)
        #expect(prefs.always == nil)
        #expect(prefs.never == nil)
    }

    // MARK: Out-of-band data

    @Test func oobX() throws {
        let url = try OOB.X(xml: load("oob-x/01-url.xml"))
        #expect(url.url == "http://www.jabber.org/images/psa-license.jpg")
        #expect(url.desc == nil)
        let described = try OOB.X(xml: load("oob-x/02-url-with-description.xml"))
        #expect(described.url == "https://upload.montague.lit/4a771ac1/f%C3%BCr-juliet.jpg?download=1&v=2")
        #expect(described.desc == "A photo for Juliet — für Julia")
        let sip = try OOB.X(xml: load("oob-x/03-non-http-uri.xml"))
        #expect(sip.url == "sip:romeo@montague.lit")
        #expect(sip.desc == "Call me")
    }

    @Test func oobIQ() throws {
        let request = try OOBIQ.Query(xml: load("oob-iq/01-request.xml"))
        #expect(request.url == "http://www.jabber.org/images/psa-license.jpg")
        #expect(request.desc == "A license to Jabber!")
        #expect(request.sid == nil)
        let initiation = try OOBIQ.Query(xml: load("oob-iq/02-stream-initiation.xml"))
        #expect(initiation.sid == "a0")
        #expect(initiation.url == "http://www.shakespeare.lit/files/letter.txt")
        #expect(initiation.desc == nil)
        let ftp = try OOBIQ.Query(xml: load("oob-iq/03-ftp.xml"))
        #expect(ftp.url == "ftp://ftp.shakespeare.lit/pub/sonnets.txt")
        #expect(ftp.desc == "Sonette — ソネット")
        #expect(ftp.sid == nil)
    }
}
