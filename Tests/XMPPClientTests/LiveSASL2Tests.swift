import Logging
import NIOConcurrencyHelpers
import SASL
import Testing
import XMPPClient
import XMPPCore
import XMPPStream
import XMPPTesting

/// SASL2 (XEP-0388), Bind 2 (XEP-0386) and FAST (XEP-0484) against the live servers: Prosody 0.12 with the
/// prosody-modules `scripts/prosody` loads, and ejabberd 23.01, which has none of them (the client must then log in
/// the RFC 6120 way).
@Suite(.enabled(if: LiveServer.enabled), .serialized)
struct LiveSASL2Tests {
    /// The wire log of one client in both directions, in order, to count round trips.
    final class Conversation: Sendable {
        private let events = NIOLockedValueBox<[(outbound: Bool, text: String)]>([])

        func loggers() -> (inbound: Logger, outbound: Logger) {
            (
                Logger(label: "xmpp.wire.inbound") { _ in Handler(conversation: self, outbound: false) },
                Logger(label: "xmpp.wire.outbound") { _ in Handler(conversation: self, outbound: true) }
            )
        }

        func reset() { events.withLockedValue { $0 = [] } }

        /// How often we sent and then heard back: the round trips of what was logged.
        var roundTrips: Int {
            let directions = events.withLockedValue { $0.map(\.outbound) }
            return zip(directions, directions.dropFirst()).filter { $0 && !$1 }.count
        }

        var text: String { events.withLockedValue { $0.map(\.text).joined() } }

        struct Handler: LogHandler {
            let conversation: Conversation
            let outbound: Bool
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .trace
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) {
                conversation.events.withLockedValue { $0.append((outbound, event.message.description)) }
            }
        }
    }

    static func configuration(
        _ server: LiveServer, account: String, conversation: Conversation, store: any FASTTokenStore
    ) throws -> XMPPClient.Configuration {
        var configuration = try server.clientConfiguration(account: account, security: .directTLS)
        (configuration.wireInboundLogger, configuration.wireOutboundLogger) = conversation.loggers()
        configuration.fastTokenStore = store
        return configuration
    }

    @Test(arguments: LiveServer.names)
    func passwordThenFASTTokenWithoutThePassword(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let conversation = Conversation()
        let store = InMemoryFASTTokenStore()
        let account = try JID(parsing: "user26@\(server.domain)")

        // RFC 6120 for comparison: six round trips after TLS (features, SCRAM ×2, restart, bind, SM).
        var legacy = try Self.configuration(server, account: "user26", conversation: conversation, store: store)
        legacy.usesSASL2 = false
        let legacyClient = try XMPPClient(configuration: legacy)
        try await legacyClient.connect()
        let legacyTrips = conversation.roundTrips
        #expect(legacyClient.sasl2Outcome == nil)
        await legacyClient.close()

        conversation.reset()
        let configuration = try Self.configuration(server, account: "user26", conversation: conversation, store: store)
        let first = try XMPPClient(configuration: configuration)
        try await first.connect()
        let passwordTrips = conversation.roundTrips
        guard server.offersSASL2 else {
            // ejabberd 23.01: no SASL2, so the same RFC 6120 login, and no token.
            #expect(first.sasl2Outcome == nil)
            #expect(passwordTrips == legacyTrips)
            #expect(await store.token(for: account) == nil)
            await first.close()
            return
        }
        let outcome = try #require(first.sasl2Outcome)
        #expect(outcome.mechanism == .scramSHA1)
        #expect(outcome.boundInline && !outcome.usedFASTToken)
        #expect(first.boundJID?.resourcepart?.hasPrefix("swift-xmpp") == true, "Bind 2 with our tag")
        let issued = try #require(await store.token(for: account), "a FAST token was asked for and kept")
        #expect(issued.mechanism == .htSHA256None)  // the one mechanism Prosody 0.12 offers
        #expect(issued.clientID == configuration.userAgent.id)
        #expect(!conversation.text.contains(issued.secret), "the token is never logged, either way")
        #expect(!conversation.text.contains(server.password))
        #expect(passwordTrips < legacyTrips)
        await first.close()

        // A client that has the token but the wrong password still logs in: the token does it, in one exchange.
        conversation.reset()
        var tokenOnly = try Self.configuration(server, account: "user26", conversation: conversation, store: store)
        tokenOnly.password = "not-the-password"
        let second = try XMPPClient(configuration: tokenOnly)
        try await second.connect()
        let tokenTrips = conversation.roundTrips
        #expect(second.sasl2Outcome?.usedFASTToken == true)
        #expect(second.sasl2Outcome?.mechanism == .htSHA256None)
        #expect(second.boundJID?.bare == account)
        #expect(tokenTrips < passwordTrips)
        // The session works: a ping to the server, a message to ourselves.
        _ = try await second.ping(JID(parsing: server.domain))
        let echoed = Collected<String>()
        second.onMessage(.message(.chat)) { message, _ in echoed.append(message.body ?? "") }
        try await second.send(Message.chat(to: try #require(second.boundJID), body: "over FAST"))
        _ = try await echoed.first { $0 == "over FAST" }
        await second.close()
        print(
            "figures: \(name) XMPP round trips after TLS: RFC 6120 \(legacyTrips), SASL2+Bind2 \(passwordTrips), FAST \(tokenTrips)"
        )
    }

    @Test func aRefusedTokenIsForgottenAndThePasswordLogsIn() async throws {
        let server = try LiveServer.require("prosody")
        guard server.offersSASL2 else { return }
        let conversation = Conversation()
        let store = InMemoryFASTTokenStore()
        let account = try JID(parsing: "user27@\(server.domain)")
        let configuration = try Self.configuration(server, account: "user27", conversation: conversation, store: store)
        let bogus = FASTToken(
            mechanism: .htSHA256None, secret: "secret-token:fast-forged", expiry: "2030-01-01T00:00:00Z",
            clientID: configuration.userAgent.id)
        await store.store(bogus, for: account)
        let client = try XMPPClient(configuration: configuration)
        try await client.connect()
        let outcome = try #require(client.sasl2Outcome)
        #expect(!outcome.usedFASTToken)
        #expect(outcome.mechanism == .scramSHA1)
        let fresh = try #require(await store.token(for: account))
        #expect(fresh.secret != bogus.secret, "the refused token was replaced by a new one")
        await client.close()
    }

    @Test func carbonsEnabledInlineCopyMessagesToTheOtherResource() async throws {
        let server = try LiveServer.require("prosody")
        guard server.offersSASL2 else { return }
        var configuration = try Self.configuration(
            server, account: "user28", conversation: Conversation(), store: InMemoryFASTTokenStore())
        let carbons = CarbonsService()
        configuration.services = [carbons]
        let inline = try XMPPClient(configuration: configuration)
        let copies = Collected<CarbonCopy>()
        inline.observe(CarbonCopy.self) { copies.append($0) }
        try await inline.connect()
        #expect(inline.sasl2Outcome?.enabledInline.contains(SASL2.carbonsNamespace) == true)
        #expect(carbons.isEnabled)
        // The other resource gets a message; the inline-enabled one gets its copy.
        let other = try XMPPClient(
            configuration: try server.clientConfiguration(account: "user28", resource: "other"))
        try await other.connect()
        let sender = try XMPPClient(configuration: try server.clientConfiguration(account: "user25", resource: "c"))
        try await sender.connect()
        try await sender.send(Message.chat(to: try #require(other.boundJID), body: "copy me"))
        let copy = try await copies.first { $0.message.body == "copy me" }
        #expect(copy.direction == .received)
        for client in [sender, other, inline] { await client.close() }
    }
}
