import NIOConcurrencyHelpers
import Testing
import XMPPClient
import XMPPExtensions
import XMPPTesting

/// Multi-user chat against the real servers (Prosody's muc component, ejabberd's mod_muc): an owner and a guest in a
/// room of their own, through everything a room does, and a guest whose connection is cut coming back in.
@Suite("Multi-user chat against live servers", .enabled(if: LiveServer.enabled), .timeLimit(.minutes(3)))
struct LiveMUCTests {
    struct Member {
        let client: XMPPClient
        let events: Collected<RoomEvent>
        let invitations: Collected<RoomInvitation>
    }

    static func member(
        _ server: LiveServer, _ account: String, resource: String, through proxy: FaultProxy? = nil
    ) throws -> Member {
        var configuration = try server.clientConfiguration(account: account, resource: resource)
        configuration.services = [MUCService()]
        if let proxy {
            configuration.port = proxy.port
            configuration.streamManagement = nil
            configuration.reconnection = ReconnectionPolicy(
                initialDelay: .milliseconds(50), maximumDelay: .milliseconds(400), maximumAttempts: 20)
        }
        let client = try XMPPClient(configuration: configuration)
        let events = Collected<RoomEvent>()
        client.observe(RoomEvent.self) { events.append($0) }
        let invitations = Collected<RoomInvitation>()
        client.observe(RoomInvitation.self) { invitations.append($0) }
        return Member(client: client, events: events, invitations: invitations)
    }

    @Test(arguments: LiveServer.names)
    func anOwnerAndAGuestGoThroughARoomsLife(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let roomJID = try JID(parsing: "garden-\(tag)@\(try #require(server.mucDomain))")
        let owner = try Self.member(server, "user13", resource: "muc-\(name)")
        let guest = try Self.member(server, "user14", resource: "muc-\(name)")
        try await owner.client.connect()
        try await guest.client.connect()
        let guestJID = try #require(guest.client.boundJID)

        // The owner creates the room (instant), names it, sets the subject and says something before the guest comes.
        let room = try await owner.client.joinRoom(roomJID, nick: "capulet")
        #expect(room.wasCreated)
        #expect(room.selfOccupant?.affiliation == .owner)
        let form = try await room.configurationForm()
        #expect(form.fields.contains { $0.var == "muc#roomconfig_roomname" })
        try await room.configure(["muc#roomconfig_roomname": ["Garden \(tag)"]])
        try await room.setSubject("Roses \(tag)")
        _ = try await owner.events.first { $0.kind == .subject("Roses \(tag)", by: "capulet") }
        let earlier = try await room.send("before you came \(tag)")
        _ = try await owner.events.first { event in
            if case .message(let message) = event.kind { message.message.id == earlier } else { false }
        }

        // The guest: the owner's nick is taken; with its own, it finds the subject, the history and the owner.
        let taken = await #expect(throws: MUCError.self) {
            _ = try await guest.client.joinRoom(roomJID, nick: "capulet")
        }
        #expect(taken?.code == .nickInUse)
        let guestRoom = try await guest.client.joinRoom(roomJID, nick: "montague", history: .last(10))
        #expect(guestRoom.subject == "Roses \(tag)")
        #expect(guestRoom.history.map(\.body) == ["before you came \(tag)"])
        #expect(guestRoom.history.first?.timestamp != nil)
        #expect(Set(guestRoom.occupants.keys) == ["capulet", "montague"])
        #expect(guestRoom.occupants["capulet"]?.affiliation == .owner)
        _ = try await owner.events.first { event in
            if case .joined(let occupant) = event.kind { occupant.nick == "montague" } else { false }
        }

        // Talk: to everyone (the room reflects it to the sender too) and privately.
        let hello = try await room.send("welcome \(tag)")
        let heard = try await guest.events.first { event in
            if case .message(let message) = event.kind { message.body == "welcome \(tag)" } else { false }
        }
        if case .message(let message) = heard.kind {
            #expect(message.nick == "capulet")
            #expect(message.message.id == hello)
            #expect(!message.isHistory)
        }
        try await guestRoom.sendPrivate("psst \(tag)", to: "capulet")
        _ = try await owner.events.first { event in
            if case .privateMessage(let message) = event.kind {
                message.nick == "montague" && message.body == "psst \(tag)"
            } else {
                false
            }
        }

        // The guest takes another nick; the owner sees the change, not a departure.
        try await guestRoom.changeNick(to: "romeo")
        #expect(guestRoom.nick == "romeo")
        _ = try await owner.events.first { event in
            if case .nickChanged(let occupant, let from) = event.kind {
                occupant.nick == "romeo" && from == "montague"
            } else {
                false
            }
        }
        #expect(!owner.events.all.contains { if case .left = $0.kind { true } else { false } })
        #expect(await guestRoom.isStillJoined() == true)

        // An invitation, direct (to the full JID: the guest sent no presence, so a bare JID's message would wait
        // offline).
        try await room.inviteDirectly(guestJID, reason: "stay \(tag)")
        let invitation = try await guest.invitations.first { $0.reason == "stay \(tag)" }
        #expect(invitation.room == roomJID)
        #expect(!invitation.isMediated)

        // Kicked: both sides see it; the guest is out (and the room says so to a self-ping).
        try await room.kick("romeo", reason: "out \(tag)")
        let kicked = try await guest.events.first { if case .removed = $0.kind { true } else { false } }
        guard case .removed(.kicked(_, let reason)) = kicked.kind else {
            Issue.record("expected a kick, got \(kicked.kind)")
            return
        }
        #expect(reason == "out \(tag)")
        #expect(!guestRoom.isJoined)
        _ = try await owner.events.first { event in
            if case .left(let occupant, .kicked) = event.kind { occupant.nick == "romeo" } else { false }
        }
        #expect(await guestRoom.isStillJoined() == false)

        // Banned: removed, and refused when it tries again.
        let again = try await guest.client.joinRoom(roomJID, nick: "romeo", history: .none)
        #expect(again.isJoined)
        let before = guest.events.all.count
        try await room.ban(guestJID, reason: "banned \(tag)")
        let banned = try await guest.events.first { event in
            if case .removed(.banned) = event.kind { true } else { false }
        }
        #expect(guest.events.all.count > before)
        _ = banned
        let refused = await #expect(throws: MUCError.self) {
            _ = try await guest.client.joinRoom(roomJID, nick: "romeo")
        }
        #expect(refused?.code == .banned)
        #expect(try await room.users(with: .outcast).contains { $0.jid == guestJID.bare })

        // The owner destroys the room and is out of it.
        try await room.destroy(reason: "done \(tag)")
        let destroyed = try await owner.events.first { if case .removed = $0.kind { true } else { false } }
        guard case .removed(.destroyed(let why, _)) = destroyed.kind else {
            Issue.record("expected the room destroyed, got \(destroyed.kind)")
            return
        }
        #expect(why == "done \(tag)")
        #expect(!room.isJoined)

        await guest.client.close()
        await owner.client.close()
    }

    @Test(arguments: LiveServer.names)
    func aGuestWhoseConnectionIsCutComesBackIn(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let roomJID = try JID(parsing: "orchard-\(tag)@\(try #require(server.mucDomain))")
        let proxy = try await FaultProxy.start(to: server.host, port: server.startTLSPort)
        let owner = try Self.member(server, "user13", resource: "rejoin-\(name)")
        let guest = try Self.member(server, "user15", resource: "rejoin-\(name)", through: proxy)
        try await owner.client.connect()
        let room = try await owner.client.joinRoom(roomJID, nick: "capulet")
        let bound = Collected<JID>()
        guest.client.observe(ConnectionEvent.self) { event in
            if case .bound(let jid) = event { bound.append(jid) }
        }
        let serving = Task { try await guest.client.serve() }
        _ = try await bound.first { _ in true }
        let guestRoom = try await guest.client.joinRoom(roomJID, nick: "romeo")
        _ = try await owner.events.first { event in
            if case .joined(let occupant) = event.kind { occupant.nick == "romeo" } else { false }
        }

        // The connection is cut and the stream cannot be resumed (no stream management): a new session, a rejoin.
        proxy.cutAll(with: .reset)
        _ = try await guest.events.first(within: 30) { $0.kind == .rejoined }
        #expect(bound.all.count == 2)
        #expect(guestRoom.isJoined)
        #expect(guestRoom.occupants["capulet"] != nil)
        let after = try await guestRoom.send("back \(tag)")
        _ = try await owner.events.first { event in
            if case .message(let message) = event.kind { message.message.id == after } else { false }
        }

        try await room.destroy()
        await guest.client.close()
        _ = try? await serving.value
        await owner.client.close()
        await proxy.stop()
    }
}
