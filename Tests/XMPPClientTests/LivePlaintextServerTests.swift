import Logging
import NIOCore
import Synchronization
import Testing
import XMPPClient
import XMPPTesting

/// A real server that offers no STARTTLS (the private ejabberd's plaintext listener): the default configuration
/// refuses it before any credentials go out, and quickly; only an explicit opt-in talks to it.
@Suite("XMPPClient against a server without STARTTLS", .enabled(if: LiveServer.enabled), .timeLimit(.minutes(1)))
struct LivePlaintextServerTests {
    /// ejabberd's plaintext listener, or a failure (under `XMPP_LIVE_TESTS=require`) or skip without it.
    static func plaintextServer() throws -> (LiveServer, port: Int)? {
        let server = try LiveServer.require("ejabberd")
        guard let port = server.plaintextPort else {
            if LiveServer.required {
                let reason =
                    "the running ejabberd has no plaintext listener (XMPP_EJABBERD_PLAINTEXT_PORT): it was started by "
                    + "an older scripts/ejabberd; run scripts/ejabberd restart"
                Issue.record(Comment(rawValue: reason))
            }
            return nil
        }
        return (server, port)
    }

    static func configuration(_ server: LiveServer, port: Int, wire: WireCapture) throws -> XMPPClient.Configuration {
        var configuration = try server.clientConfiguration(account: "frank")
        configuration.port = port
        configuration.wireOutboundLogger = wire.logger
        return configuration
    }

    @Test func theDefaultRefusesAServerWithoutSTARTTLSBeforeAnyCredentials() async throws {
        guard let (server, port) = try Self.plaintextServer() else { return }
        let wire = WireCapture()
        var configuration = try Self.configuration(server, port: port, wire: wire)
        #expect(configuration.security == .startTLS)  // the default, not set here
        configuration.negotiationTimeout = .seconds(60)
        let client = try XMPPClient(configuration: configuration)
        let clock = ContinuousClock()
        let start = clock.now
        do {
            try await client.connect()
            Issue.record("connected to a server without STARTTLS")
        } catch let error as XMPPClientError {
            #expect(error.code == .tlsNotOffered)
            #expect(error.message.contains("does not offer STARTTLS"))
        }
        // Refused on the server's features (the code says so), not by the negotiation timeout: well before it, even
        // on a loaded machine (a bound of 5 s failed once with 5.4 s during a full run).
        #expect(clock.now - start < .seconds(30))
        #expect(client.boundJID == nil)
        // What went out: our stream header (without the JID: no 'from' before TLS) and, on refusing, our footer.
        // Nothing else, so no <auth/> (which the wire log would show as "bytes omitted (SASL)").
        #expect(
            wire.text
                == "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                + "xmlns:stream='http://etherx.jabber.org/streams' to='\(server.domain)' version='1.0' xml:lang='en'>"
                + "</stream:stream>")
    }

    @Test func anExplicitOptInToPlaintextStillUsesSCRAM() async throws {
        guard let (server, port) = try Self.plaintextServer() else { return }
        let wire = WireCapture()
        var configuration = try Self.configuration(server, port: port, wire: wire)
        configuration.security = .insecurePlaintext
        let client = try XMPPClient(configuration: configuration)
        let events = client.events
        try await client.connect()
        #expect(client.boundJID?.bare == (try JID(parsing: "frank@\(server.domain)")))
        await client.close()
        var mechanism: String?
        for await event in events {
            if case .authenticated(let name) = event { mechanism = name }
            if case .disconnected = event { break }
        }
        // The server offers PLAIN too; without TLS it is refused, and SCRAM is preferred anyway.
        #expect(mechanism == "SCRAM-SHA-256")
    }
}

/// The `xmpp.wire.outbound` log of one client, kept as text.
final class WireCapture: Sendable {
    private let lines = Mutex<[String]>([])

    /// A trace-level logger whose messages are kept here.
    var logger: Logger {
        Logger(label: "xmpp.wire.outbound") { _ in Handler(capture: self) }
    }

    /// Everything logged, concatenated.
    var text: String { lines.withLock { $0.joined() } }

    struct Handler: LogHandler {
        let capture: WireCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.lines.withLock { $0.append(event.message.description) }
        }
    }
}
