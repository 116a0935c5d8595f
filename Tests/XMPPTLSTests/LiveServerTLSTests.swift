import NIOCore
import Testing
import XMPPTLS
import XMPPTesting

/// Direct TLS (XEP-0368) to the real Prosody and ejabberd that `scripts/test` starts, verified with their CA
/// file for the domain `localhost`.
@Suite("TLSClientHandler against live servers", .enabled(if: LiveServer.enabled), .timeLimit(.minutes(1)))
struct LiveServerTLSTests {
    @Test(arguments: LiveServer.names)
    func directTLSVerifiesAndNegotiatesXMPPClient(_ name: String) async throws {
        guard let server = LiveServer.named(name) else {
            #expect(!LiveServer.required, "XMPP_LIVE_TESTS=require but \(name) is not described in the environment")
            return
        }
        let configuration = TLSConfiguration.directTLS(domain: server.domain, trustRoots: .caFile(server.caFile))
        let client = try await TLSClient.connect(
            host: server.host, port: server.directTLSPort, configuration: configuration)
        let event = try await client.handshake.get()
        #expect(event.version >= .tls12)
        #expect(event.channelBindings[.tlsServerEndPoint] != nil)
        if event.version == .tls13 {
            #expect(event.channelBindings[.tlsExporter]?.count == 32)
        } else {
            #expect(event.channelBindings[.tlsUnique] != nil)
        }

        // The stream header goes through TLS and the server's header comes back decrypted.
        let header =
            "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            + "xmlns:stream='http://etherx.jabber.org/streams' to='\(server.domain)' version='1.0'>"
        try await client.channel.writeAndFlush(ByteBuffer(string: header))
        let reply = try await client.streamFeatures.get()
        #expect(reply.contains("from='\(server.domain)'"), "\(reply)")
        try await client.channel.close()
    }

    @Test(arguments: LiveServer.names)
    func directTLSRefusesAnotherDomain(_ name: String) async throws {
        guard let server = LiveServer.named(name) else {
            #expect(!LiveServer.required, "XMPP_LIVE_TESTS=require but \(name) is not described in the environment")
            return
        }
        let configuration = TLSConfiguration.directTLS(domain: "example.org", trustRoots: .caFile(server.caFile))
        let client = try await TLSClient.connect(
            host: server.host, port: server.directTLSPort, configuration: configuration)
        let error = try #require(await client.handshakeError())
        // ejabberd presents its certificate, which does not name example.org; Prosody already refuses the SNI
        // name with an alert.
        #expect([.hostnameMismatch, .handshakeFailed].contains(error.code), "\(error)")
    }
}
