import NIOCore
import NIOPosix
import Testing
import XMPPTesting
import XMPPXML

/// Against the real Prosody and ejabberd that `scripts/test` starts: open a TCP connection, send a client
/// stream header, and read the server's header and stream features with the parser, as the client will.
@Suite("XMLStreamParser against live servers", .enabled(if: LiveServer.enabled), .timeLimit(.minutes(1)))
struct LiveServerStreamTests {
    @Test(arguments: LiveServer.names)
    func readsTheServersHeaderAndFeaturesWithStartTLSOffered(_ name: String) async throws {
        let server = try #require(
            LiveServer.named(name),
            "XMPP_LIVE_TESTS=require but \(name) is not described in the environment (run scripts/test)"
        )
        let events = try await Self.openStream(to: server)

        guard case .streamOpened(let header)? = events.first else {
            Issue.record("no stream header from \(name): \(events)")
            return
        }
        #expect(header.name == XMLName(namespace: "http://etherx.jabber.org/streams", localName: "stream"))
        #expect(header.defaultNamespace == "jabber:client")
        #expect(header.from == server.domain)
        #expect(header.version == "1.0")
        #expect(header.id?.isEmpty == false)

        let features = try #require(elements(events).first)
        #expect(features.name == XMLName(namespace: "http://etherx.jabber.org/streams", localName: "features"))
        let starttls = try #require(features.firstChild("starttls", namespace: "urn:ietf:params:xml:ns:xmpp-tls"))
        // Both servers are configured to require TLS before anything else.
        #expect(starttls.firstChild("required") != nil)
        #expect(features.firstChild("mechanisms", namespace: "urn:ietf:params:xml:ns:xmpp-sasl") == nil)
    }

    /// Sends a client stream header and returns the events up to and including the stream features.
    static func openStream(to server: LiveServer) async throws -> [XMLStreamEvent] {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: server.host, port: server.startTLSPort) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            let header =
                "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                + "xmlns:stream='http://etherx.jabber.org/streams' to='\(server.domain)' version='1.0' xml:lang='en'>"
            try await outbound.write(ByteBuffer(string: header))
            let parser = XMLStreamParser()
            var events: [XMLStreamEvent] = []
            for try await buffer in inbound {
                var done = false
                try parser.parse(buffer) { event in
                    events.append(event)
                    if case .element = event { done = true }
                    return done ? .stop : .continue
                }
                if done { break }
            }
            return events
        }
    }
}
