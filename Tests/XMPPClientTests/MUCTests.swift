import Foundation
import NIOConcurrencyHelpers
import Testing
import XMPPClient
import XMPPExtensions
import XMPPTesting

/// Multi-user chat (XEP-0045) on the wire: joining and its refusals, the occupants and what they do, our own
/// nick changes, removal and leaving, moderation requests, invitations, self-ping.
@Suite("Multi-user chat", .timeLimit(.minutes(1)))
struct MUCTests {
    let room = "garden@rooms.example.com"
    let muc = "http://jabber.org/protocol/muc#user"

    /// Juliet's client with a MUC service, joined to the garden as "juliet" with Romeo in it.
    func joined(
        history: String = "", subject: String = "<subject>Roses</subject>"
    ) async throws -> (XMPPClient, ScriptedServer, MUCRoom) {
        let (client, server) = try await scriptedClient(services: [MUCService()])
        async let joining = client.joinRoom(try JID(parsing: room), nick: "juliet")
        _ = try await server.nextSent()
        try await server.deliver(
            occupant("romeo", affiliation: "member", role: "participant"),
            occupant("juliet", affiliation: "owner", role: "moderator", codes: [110]))
        if !history.isEmpty { try await server.deliver(history) }
        try await server.deliver("<message from='\(room)' type='groupchat' id='s'>\(subject)</message>")
        return (client, server, try await joining)
    }

    func occupant(
        _ nick: String, affiliation: String = "none", role: String = "participant", jid: String? = nil,
        type: String? = nil, codes: [Int] = [], newNick: String? = nil, extra: String = ""
    ) -> String {
        let statuses = codes.map { "<status code='\($0)'/>" }.joined()
        let jidAttribute = (jid.map { " jid='\($0)'" } ?? "") + (newNick.map { " nick='\($0)'" } ?? "")
        let typeAttribute = type.map { " type='\($0)'" } ?? ""
        return """
            <presence from='\(room)/\(nick)'\(typeAttribute)><x xmlns='\(muc)'>\
            <item affiliation='\(affiliation)' role='\(role)'\(jidAttribute)>\(extra)</item>\(statuses)</x></presence>
            """
    }

    @Test func joiningSendsTheRequestAndWaitsForOurPresenceTheHistoryAndTheSubject() async throws {
        let (client, server) = try await scriptedClient(services: [MUCService()])
        async let joining = client.joinRoom(
            try JID(parsing: room), nick: "juliet", password: "thorn", history: .last(5))
        let request = try Presence(xml: try await server.nextSent())
        #expect(request.to?.description == "\(room)/juliet")
        #expect(request.type == nil)
        let x = try #require(try request.payload(MUC.X.self))
        #expect(x.password == "thorn")
        #expect(x.history?.maxstanzas == 5)
        try await server.deliver(
            occupant("romeo", affiliation: "member", jid: "romeo@example.net/orchard"),
            occupant("juliet", affiliation: "owner", role: "moderator", codes: [110, 100]),
            """
            <message from='\(room)/romeo' type='groupchat' id='h1'><body>earlier</body>\
            <delay xmlns='urn:xmpp:delay' from='\(room)' stamp='2026-12-03T09:00:00Z'/></message>
            """,
            "<message from='\(room)/romeo' type='groupchat'><subject>Roses</subject></message>")
        let garden = try await joining
        #expect(garden.isJoined)
        #expect(garden.nick == "juliet")
        #expect(garden.subject == "Roses")
        #expect(garden.history.map(\.body) == ["earlier"])
        #expect(garden.history.first?.isHistory == true)
        #expect(garden.history.first?.timestamp?.description == "2026-12-03T09:00:00Z")
        #expect(garden.occupants.keys.sorted() == ["juliet", "romeo"])
        #expect(garden.occupants["romeo"]?.jid?.description == "romeo@example.net/orchard")
        #expect(garden.selfOccupant?.role == .moderator)
        #expect(garden.selfOccupant?.affiliation == .owner)
        #expect(client.service(MUCService.self)?.room(try JID(parsing: room)) === garden)
    }

    @Test func theRoomsNickForUsIsKept() async throws {
        let (client, server) = try await scriptedClient(services: [MUCService()])
        async let joining = client.joinRoom(try JID(parsing: room), nick: "Juliet")
        _ = try await server.nextSent()
        try await server.deliver(
            occupant("juliet", codes: [110, 210]), "<message from='\(room)' type='groupchat'><subject/></message>")
        let garden = try await joining
        #expect(garden.nick == "juliet")
        #expect(garden.subject == nil)
    }

    @Test(arguments: [
        ("conflict", MUCError.Code.nickInUse), ("not-authorized", .passwordRequired), ("forbidden", .banned),
        ("registration-required", .membersOnly), ("item-not-found", .roomNotFound),
        ("service-unavailable", .roomFull), ("not-acceptable", .nickNotAcceptable),
        ("internal-server-error", .refused),
    ])
    func aRefusedJoinSaysWhy(_ condition: String, _ code: MUCError.Code) async throws {
        let (client, server) = try await scriptedClient(services: [MUCService()])
        let joining = Task { try await client.joinRoom(try JID(parsing: room), nick: "juliet") }
        _ = try await server.nextSent()
        try await server.deliver(
            """
            <presence from='\(room)/juliet' type='error'><x xmlns='http://jabber.org/protocol/muc'/>\
            <error type='cancel'><\(condition) xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>
            """)
        let error = await #expect(throws: MUCError.self) { try await joining.value }
        #expect(error?.code == code)
        #expect(error?.stanzaError?.conditionName == condition)
        #expect(client.service(MUCService.self)?.joinedRooms.isEmpty == true)
    }

    @Test func aRoomOurJoinCreatesGetsTheDefaultConfiguration() async throws {
        let (client, server) = try await scriptedClient(services: [MUCService()])
        async let joining = client.joinRoom(try JID(parsing: room), nick: "juliet")
        _ = try await server.nextSent()
        try await server.deliver(occupant("juliet", affiliation: "owner", role: "moderator", codes: [110, 201]))
        let submit = try IQ(xml: try await server.nextSent())
        #expect(submit.type == .set)
        #expect(submit.to?.description == room)
        guard case .x(let form) = try #require(try submit.payload(MUCOwner.Query.self)).choice else {
            Issue.record("no form in \(submit)")
            return
        }
        #expect(form.type == .submit)
        #expect(form.fields.isEmpty)
        try await server.deliver("<iq type='result' from='\(room)' id='\(submit.id)'/>")
        let garden = try await joining
        #expect(garden.wasCreated)
        #expect(garden.isJoined)
    }

    @Test func whatOccupantsDoIsRaisedAndReachesNoOtherHandler() async throws {
        let (client, server, garden) = try await joined()
        let events = Recorder<RoomEvent.Kind>()
        client.observe(RoomEvent.self) { events.record($0.kind) }
        let others = Recorder<String>()
        client.on(.message() || .presence()) { stanza, _ in others.record(stanza["id"] ?? "") }
        try await server.deliver(
            occupant("nurse", jid: "nurse@example.com/kitchen"),
            occupant("romeo", affiliation: "member", type: "unavailable", codes: [303], newNick: "montague"),
            occupant("montague", affiliation: "member"),
            """
            <message from='\(room)/montague' type='groupchat' id='m1'><body>hi all</body>\
            <stanza-id xmlns='urn:xmpp:sid:0' by='\(room)' id='sid-1'/>\
            <stanza-id xmlns='urn:xmpp:sid:0' by='mallory@example.org' id='forged'/></message>
            """,
            "<message from='\(room)/montague' type='chat' id='p1'><body>psst</body><x xmlns='\(muc)'/></message>",
            "<message from='\(room)/nurse' type='groupchat'><subject>Thorns</subject></message>",
            occupant(
                "nurse", type: "unavailable", codes: [307],
                extra: "<actor nick='juliet'/><reason>noise</reason>"),
            "<message from='mercutio@example.com/x' id='after'/>")
        let kinds = await events.next(6)
        #expect(kinds[0] == .joined(RoomOccupant(nick: "nurse", jid: try JID(parsing: "nurse@example.com/kitchen"))))
        #expect(kinds[1] == .nickChanged(RoomOccupant(nick: "montague", affiliation: .member), from: "romeo"))
        guard case .message(let message) = kinds[2], case .privateMessage(let whisper) = kinds[3] else {
            Issue.record("expected a message and a private message, got \(kinds)")
            return
        }
        #expect(message.nick == "montague")
        #expect(message.body == "hi all")
        #expect(message.stanzaID == "sid-1")
        #expect(!message.isHistory)
        #expect(whisper.nick == "montague")
        #expect(whisper.body == "psst")
        #expect(kinds[4] == .subject("Thorns", by: "nurse"))
        #expect(
            kinds[5]
                == .left(
                    RoomOccupant(nick: "nurse", jid: try JID(parsing: "nurse@example.com/kitchen")),
                    .kicked(by: "juliet", reason: "noise")))
        #expect(await others.next(1) == ["after"])
        #expect(garden.occupants.keys.sorted() == ["juliet", "montague"])
        #expect(garden.subject == "Thorns")
    }

    @Test func beingKickedEndsTheOccupancy() async throws {
        let (client, server, garden) = try await joined()
        let events = Recorder<RoomEvent.Kind>()
        client.observe(RoomEvent.self) { events.record($0.kind) }
        try await server.deliver(
            occupant(
                "juliet", affiliation: "owner", role: "none", type: "unavailable", codes: [307, 110],
                extra: "<actor nick='capulet'/><reason>to bed</reason>"))
        #expect(await events.next(1) == [.removed(.kicked(by: "capulet", reason: "to bed"))])
        #expect(!garden.isJoined)
        #expect(client.service(MUCService.self)?.joinedRooms.isEmpty == true)
        let error = await #expect(throws: MUCError.self) { try await garden.send("still here?") }
        #expect(error?.code == .notJoined)
    }

    /// With or without 110: ejabberd leaves it out of a destroyed room's presence.
    @Test(arguments: ["<status code='110'/>", ""])
    func aDestroyedRoomSaysWhereToGo(_ selfStatus: String) async throws {
        let (client, server, _) = try await joined()
        let events = Recorder<RoomEvent.Kind>()
        client.observe(RoomEvent.self) { events.record($0.kind) }
        try await server.deliver(
            """
            <presence from='\(room)/juliet' type='unavailable'><x xmlns='\(muc)'>\
            <item affiliation='none' role='none'/><destroy jid='orchard@rooms.example.com'><reason>moved</reason>\
            </destroy>\(selfStatus)</x></presence>
            """)
        #expect(
            await events.next(1) == [
                .removed(.destroyed(reason: "moved", alternateVenue: try JID(parsing: "orchard@rooms.example.com")))
            ])
    }

    @Test func ourNickChangeIsConfirmedOrRefused() async throws {
        let (client, server, garden) = try await joined()
        let events = Recorder<RoomEvent.Kind>()
        client.observe(RoomEvent.self) { events.record($0.kind) }
        // Refused: someone has it; our nick stays.
        let refused = Task { try await garden.changeNick(to: "romeo") }
        let ask = try Presence(xml: try await server.nextSent())
        #expect(ask.to?.description == "\(room)/romeo")
        try await server.deliver(
            """
            <presence from='\(room)/romeo' type='error'><error type='cancel'>\
            <conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>
            """)
        let error = await #expect(throws: MUCError.self) { try await refused.value }
        #expect(error?.code == .nickInUse)
        #expect(garden.nick == "juliet")
        // Accepted: the old nick leaves with 303, the new one comes.
        async let accepted: Void = garden.changeNick(to: "jules")
        _ = try await server.nextSent()
        try await server.deliver(
            occupant(
                "juliet", affiliation: "owner", role: "moderator", type: "unavailable", codes: [303, 110],
                newNick: "jules"),
            occupant("jules", affiliation: "owner", role: "moderator", codes: [110]))
        try await accepted
        #expect(garden.nick == "jules")
        #expect(garden.occupants.keys.sorted() == ["jules", "romeo"])
        #expect(
            await events.next(1) == [
                .nickChanged(RoomOccupant(nick: "jules", role: .moderator, affiliation: .owner), from: "juliet")
            ])
    }

    @Test func leavingSendsUnavailableAndWaitsForTheRoom() async throws {
        let (client, server, garden) = try await joined()
        let events = Recorder<RoomEvent.Kind>()
        client.observe(RoomEvent.self) { events.record($0.kind) }
        async let leaving: Void = garden.leave(status: "adieu")
        let goodbye = try Presence(xml: try await server.nextSent())
        #expect(goodbye.type == .unavailable)
        #expect(goodbye.to?.description == "\(room)/juliet")
        #expect(goodbye.statuses.first?.value == "adieu")
        try await server.deliver(
            occupant("juliet", affiliation: "owner", role: "none", type: "unavailable", codes: [110]))
        await leaving
        #expect(!garden.isJoined)
        #expect(await events.next(1) == [.removed(.left(status: nil))])
        #expect(client.service(MUCService.self)?.joinedRooms.isEmpty == true)
    }

    @Test func moderationRequestsNameTheOccupantOrTheUser() async throws {
        let (_, server, garden) = try await joined()
        async let kick: Void = garden.kick("romeo", reason: "rude")
        let kickRequest = try IQ(xml: try await server.nextSent())
        let kickItem = try #require(try kickRequest.payload(MUCAdmin.Query.self)?.items.first)
        #expect(kickRequest.type == .set)
        #expect(kickRequest.to?.description == room)
        #expect(kickItem.nick == "romeo" && kickItem.role == MUCAdmin.Role.none && kickItem.reason == "rude")
        try await server.deliver("<iq type='result' from='\(room)' id='\(kickRequest.id)'/>")
        try await kick

        let banned = try JID(parsing: "tybalt@example.com/sword")
        let ban = Task { try await garden.ban(banned) }
        let banRequest = try IQ(xml: try await server.nextSent())
        let banItem = try #require(try banRequest.payload(MUCAdmin.Query.self)?.items.first)
        #expect(banItem.jid?.description == "tybalt@example.com")
        #expect(banItem.affiliation == .outcast)
        try await server.deliver(
            """
            <iq type='error' from='\(room)' id='\(banRequest.id)'><error type='cancel'>\
            <not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>
            """)
        await #expect(throws: StanzaError.self) { try await ban.value }
    }

    @Test func invitationsMediatedAndDirectAreRaised() async throws {
        let (client, server) = try await scriptedClient(services: [MUCService()])
        let invitations = Recorder<RoomInvitation>()
        client.observe(RoomInvitation.self) { invitations.record($0) }
        try await server.deliver(
            """
            <message from='\(room)'><x xmlns='\(muc)'><invite from='romeo@example.net/orchard'>\
            <reason>come</reason></invite><password>thorn</password></x></message>
            """,
            """
            <message from='nurse@example.com/kitchen'><x xmlns='jabber:x:conference' jid='\(room)' \
            reason='lunch'/></message>
            """)
        let received = await invitations.next(2)
        #expect(
            received == [
                RoomInvitation(
                    room: try JID(parsing: room), from: try JID(parsing: "romeo@example.net/orchard"), reason: "come",
                    password: "thorn", isMediated: true),
                RoomInvitation(
                    room: try JID(parsing: room), from: try JID(parsing: "nurse@example.com/kitchen"),
                    reason: "lunch", isMediated: false),
            ])
    }

    @Test func ourInvitationsTakeBothForms() async throws {
        let (_, server, garden) = try await joined()
        try await garden.invite(try JID(parsing: "nurse@example.com"), reason: "join us")
        let mediated = try Message(xml: try await server.nextSent())
        #expect(mediated.to?.description == room)
        #expect(try mediated.payload(MUCUser.X.self)?.invites.first?.to?.description == "nurse@example.com")
        try await garden.inviteDirectly(try JID(parsing: "nurse@example.com"))
        let direct = try Message(xml: try await server.nextSent())
        #expect(direct.to?.description == "nurse@example.com")
        #expect(try direct.payload(DirectMUCInvitations.X.self)?.jid == room)
    }

    @Test(arguments: [
        ("<iq type='result' from='ROOM/juliet' id='ID'/>", true as Bool?),
        (
            "<iq type='error' from='ROOM/juliet' id='ID'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
            true
        ),
        (
            "<iq type='error' from='ROOM/juliet' id='ID'><error type='modify'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
            false
        ),
        (
            "<iq type='error' from='ROOM/juliet' id='ID'><error type='cancel'><remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
            nil
        ),
    ])
    func selfPingTellsWhetherWeAreStillIn(_ answer: String, _ expected: Bool?) async throws {
        let (_, server, garden) = try await joined()
        async let stillJoined = garden.isStillJoined()
        let ping = try IQ(xml: try await server.nextSent())
        #expect(ping.to?.description == "\(room)/juliet")
        #expect(try ping.payload(Ping.Ping.self) != nil)
        try await server.deliver(
            answer.replacingOccurrences(of: "ROOM", with: room).replacingOccurrences(of: "ID", with: ping.id))
        #expect(await stillJoined == expected)
    }

    @Test func aMalformedRoomStanzaIsDroppedAndTheRoomGoesOn() async throws {
        let (client, server, garden) = try await joined()
        let events = Recorder<RoomEvent.Kind>()
        client.observe(RoomEvent.self) { events.record($0.kind) }
        try await server.deliver(
            "<presence from='\(room)/nurse'><x xmlns='\(muc)'><item affiliation='emperor' role='x'/></x></presence>",
            "<presence from='\(room)/nurse'><x xmlns='\(muc)'><status code='many'/></x></presence>",
            occupant("nurse"))
        // Values the schema does not list are kept as they are; the unreadable status code loses only its stanza.
        #expect(
            await events.next(2) == [
                .joined(RoomOccupant(nick: "nurse", role: .unknown("x"), affiliation: .unknown("emperor"))),
                .changed(RoomOccupant(nick: "nurse")),
            ])
        #expect(garden.occupants.keys.sorted() == ["juliet", "nurse", "romeo"])
    }

    @Test func aRoomWithoutTheServiceCannotBeJoined() async throws {
        let (client, _) = try await scriptedClient()
        await #expect(throws: XMPPClientError.self) {
            _ = try await client.joinRoom(try JID(parsing: room), nick: "juliet")
        }
    }
}
