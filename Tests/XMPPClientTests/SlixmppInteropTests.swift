import Logging
import Testing
import XMPPClient
import XMPPTesting

/// Interoperability with a client nobody here wrote: slixmpp (from PyPI, in the virtual environment `scripts/test`
/// makes) and our client, through Prosody.
@Suite("Interoperability with slixmpp", .enabled(if: LiveServer.enabled), .timeLimit(.minutes(2)))
struct SlixmppInteropTests {
    @Test func messagesDiscoVersionAndSubscriptionBothWays() async throws {
        let server = try LiveServer.require("prosody")
        var configuration = try server.clientConfiguration(account: "user8", resource: "swift")
        configuration.logger.logLevel = .warning
        configuration.services = [
            DiscoService(identity: .init(category: "client", type: "bot", name: "swift-xmpp tests")), PingService(),
            SoftwareVersionService(name: "swift-xmpp", version: "0.3"), RosterService(),
            PresenceService(policy: .approveAll),
        ]
        let ours = try XMPPClient(configuration: configuration)
        let inbox = ours.stanzas(matching: .message(.chat))
        try await ours.connect()
        let ourJID = try #require(ours.boundJID)

        let peer = try SlixmppPeer([
            "peer", "--jid", "user9@\(server.domain)/slix", "--password", server.password, "--host", server.host,
            "--port", "\(server.startTLSPort)", "--ca-file", server.caFile, "--other", ourJID.description,
            "--timeout", "90",
        ])
        defer { peer.terminate() }
        let ready = try await peer.next { $0.name == "ready" }
        let slixJID = try JID(parsing: try #require(ready["jid"]))

        // Messages both ways.
        try await ours.send(Message.chat(to: slixJID, body: "from Swift ☕"))
        let received = try await peer.next { $0.name == "message" }
        #expect(received["body"] == "from Swift ☕")
        #expect(received["from"] == ourJID.description)
        try peer.send(["cmd": "send", "to": ourJID.description, "body": "from slixmpp 🐍"])
        for await stanza in inbox {
            let message = try Message(xml: stanza)
            #expect(message.body == "from slixmpp 🐍")
            #expect(message.from == slixJID)
            break
        }

        // Each asks the other's disco#info and software version.
        let theirInfo = try await ours.discoInfo(of: slixJID)
        #expect(theirInfo.features.contains { $0.var == "jabber:iq:version" })
        #expect(theirInfo.identities.contains { $0.category == "client" })
        let theirVersion = try await ours.softwareVersion(of: slixJID)
        #expect(theirVersion.name == "slixmpp-peer")
        try peer.send(["cmd": "disco_info", "to": ourJID.description])
        let ourInfo = try await peer.next { $0.name == "disco_info" || $0.name == "command_error" }
        #expect(ourInfo.name == "disco_info")
        #expect(ourInfo.list("features").contains("jabber:iq:version"))
        #expect(ourInfo.list("features").contains("urn:xmpp:ping"))
        #expect(ourInfo.list("identities").contains("client/bot/swift-xmpp tests"))
        try peer.send(["cmd": "version", "to": ourJID.description])
        let ourVersion = try await peer.next { $0.name == "version" || $0.name == "command_error" }
        #expect(ourVersion["name"] == "swift-xmpp")
        #expect(ourVersion["version"] == "0.3")

        // A subscription each way: slixmpp approves ours; our policy approves slixmpp's.
        let ourRoster = ours.events(of: RosterEvent.self)
        try await ours.subscribe(to: slixJID.bare)
        for await event in ourRoster {
            if case .updated(let item) = event, item.jid == slixJID.bare,
                item.subscription == .to || item.subscription == .both
            {
                break
            }
        }
        let bothWays = ours.events(of: RosterEvent.self)
        try peer.send(["cmd": "subscribe", "to": ourJID.bare.description])
        let subscribed = try await peer.next { $0.name == "subscribed" || $0.name == "command_error" }
        #expect(subscribed.name == "subscribed")
        #expect(subscribed["from"] == ourJID.bare.description)
        // Our side learns of the new state by a roster push, which may come after slixmpp has its answer.
        if ours.roster.item(for: slixJID.bare)?.subscription != .both {
            for await event in bothWays {
                if case .updated(let item) = event, item.jid == slixJID.bare, item.subscription == .both { break }
            }
        }
        #expect(ours.roster.item(for: slixJID.bare)?.subscription == .both)

        try peer.send(["cmd": "remove_roster", "to": ourJID.bare.description])
        _ = try await peer.next { $0.name == "roster_removed" || $0.name == "command_error" }
        try peer.send(["cmd": "quit"])
        #expect(await peer.finish() == 0)
        try await ours.roster.remove(slixJID.bare)
        await ours.close()
    }

    /// A room with our client (its owner) and slixmpp in it, through Prosody: messages both ways, the subject, a
    /// nick change and a kick, each seen by both.
    @Test func aRoomWithSlixmppInIt() async throws {
        let server = try LiveServer.require("prosody")
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let roomJID = try JID(parsing: "interop-\(tag)@\(try #require(server.mucDomain))")
        var configuration = try server.clientConfiguration(account: "user16", resource: "swift")
        configuration.logger.logLevel = .warning
        configuration.services = [MUCService()]
        let ours = try XMPPClient(configuration: configuration)
        let events = Collected<RoomEvent>()
        ours.observe(RoomEvent.self) { events.append($0) }
        try await ours.connect()
        let room = try await ours.joinRoom(roomJID, nick: "swift")

        let peer = try SlixmppPeer([
            "peer", "--jid", "user17@\(server.domain)/slix", "--password", server.password, "--host", server.host,
            "--port", "\(server.startTLSPort)", "--ca-file", server.caFile, "--timeout", "90",
        ])
        defer { peer.terminate() }
        _ = try await peer.next { $0.name == "ready" }
        let name = roomJID.description
        try peer.send(["cmd": "join_room", "room": name, "nick": "slix"])
        let joined = try await peer.next { $0.name == "joined_room" || $0.name == "command_error" }
        #expect(joined.name == "joined_room", "\(joined)")
        _ = try await events.first { event in
            if case .joined(let occupant) = event.kind { occupant.nick == "slix" } else { false }
        }

        // Messages both ways.
        try await room.send("hello slixmpp \(tag)")
        let heard = try await peer.next { $0.name == "groupchat" && $0["body"] == "hello slixmpp \(tag)" }
        #expect(heard["nick"] == "swift")
        try peer.send(["cmd": "groupchat", "room": name, "body": "hello swift \(tag)"])
        _ = try await events.first { event in
            if case .message(let message) = event.kind {
                message.nick == "slix" && message.body == "hello swift \(tag)"
            } else {
                false
            }
        }

        // The subject, set by us.
        try await room.setSubject("Interop \(tag)")
        let subject = try await peer.next { $0.name == "room_subject" && $0["subject"] == "Interop \(tag)" }
        #expect(subject["nick"] == "swift")

        // slixmpp changes its nick: a change for us, not a departure.
        try peer.send(["cmd": "set_nick", "room": name, "nick": "slix2"])
        let renamed = try await peer.next { $0.name == "nick_set" || $0.name == "command_error" }
        #expect(renamed["nick"] == "slix2", "\(renamed)")
        _ = try await events.first { event in
            if case .nickChanged(let occupant, let from) = event.kind {
                occupant.nick == "slix2" && from == "slix"
            } else {
                false
            }
        }
        #expect(!events.all.contains { if case .left = $0.kind { true } else { false } })

        // We kick it: slixmpp sees its own removal (307 and 110) with the reason, we see it leave kicked.
        try await room.kick("slix2", reason: "bye \(tag)")
        let removal = try await peer.next { $0.name == "room_presence" && $0["type"] == "unavailable" }
        #expect(removal.list("codes").contains("307"))
        #expect(removal.list("codes").contains("110"))
        #expect(removal["reason"] == "bye \(tag)")
        _ = try await events.first { event in
            if case .left(let occupant, .kicked(_, let reason)) = event.kind {
                occupant.nick == "slix2" && reason == "bye \(tag)"
            } else {
                false
            }
        }

        try peer.send(["cmd": "quit"])
        #expect(await peer.finish() == 0)
        try await room.destroy()
        await ours.close()
    }
}
