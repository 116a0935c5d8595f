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
}
