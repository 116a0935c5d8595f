import EchoBot
import Logging
import Testing
import XMPPClient
import XMPPTesting

@Suite("EchoBot", .timeLimit(.minutes(2)))
struct EchoBotTests {
    @Test func itEchoesChatBodiesAndNothingElse() async throws {
        let bot = try EchoBot.makeClient(
            XMPPClient.Configuration(jid: try JID(parsing: "bot@example.com"), password: "unused"))
        let server = ScriptedServer()
        try await server.connect(bot, as: try JID(parsing: "bot@example.com/echo"))
        _ = try await server.nextSent()  // initial presence
        try await server.deliver(
            "<message type='chat' from='romeo@example.net/orchard' id='1'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>",
            "<message type='headline' from='news@example.net'><body>not a chat</body></message>",
            "<message type='chat' from='romeo@example.net/orchard' id='2'><body>Wherefore?</body></message>")
        let echo = try Message(xml: try await server.nextSent())
        #expect(echo.to?.description == "romeo@example.net/orchard")
        #expect(echo.type == .chat)
        #expect(echo.body == "Wherefore?")
    }

    @Test func itApprovesSubscriptionsAndSubscribesBack() async throws {
        let bot = try EchoBot.makeClient(
            XMPPClient.Configuration(jid: try JID(parsing: "bot@example.com"), password: "unused"))
        let server = ScriptedServer()
        try await server.connect(bot, as: try JID(parsing: "bot@example.com/echo"))
        _ = try await server.nextSent()
        try await server.deliver("<presence type='subscribe' from='romeo@example.net'/>")
        let approval = try Presence(xml: try await server.nextSent())
        let request = try Presence(xml: try await server.nextSent())
        #expect(approval.type == .subscribed && approval.to?.description == "romeo@example.net")
        #expect(request.type == .subscribe && request.to?.description == "romeo@example.net")
    }

    /// slixmpp sends 1,000 chat messages to the bot through Prosody and checks every echo.
    @Test(.enabled(if: LiveServer.enabled))
    func slixmppGetsAThousandCorrectEchoes() async throws {
        let server = try LiveServer.require("prosody")
        var configuration = try server.clientConfiguration(account: "user10", resource: "echo")
        configuration.logger.logLevel = .warning
        let bot = try EchoBot.makeClient(configuration)
        try await bot.connect()
        let botJID = try #require(bot.boundJID)
        let load = try SlixmppPeer([
            "echo-load", "--jid", "user9@\(server.domain)/load", "--password", server.password, "--host", server.host,
            "--port", "\(server.startTLSPort)", "--ca-file", server.caFile, "--to", botJID.description,
            "--count", "1000", "--timeout", "90",
        ])
        defer { load.terminate() }
        let done = try await load.next(timeout: .seconds(100)) { $0.name == "done" || $0.name == "error" }
        #expect(done.name == "done", "\(done)")
        #expect(done["sent"] == "1000")
        #expect(done["correct"] == "1000")
        #expect(["1", "true"].contains(done["ok"] ?? ""), "\(done)")
        #expect(await load.finish() == 0)
        print("EchoBot: 1000 echoes to slixmpp in \(done["seconds"] ?? "?") s")
        await bot.close()
    }
}
