package import NIOCore
package import XMPPCore

extension EndpointCore {
    /// Runs an endpoint over a channel whose stream is already established (a scripted peer in tests): installs
    /// the router, makes the channel current, raises `bound`, and lets the services do their connection work.
    func attachEstablished(channel: any Channel, localJID: JID, endpoint: Endpoint) async throws {
        let batches = StanzaBatches()
        let core = self
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(InboundRouter(core: core, sink: batches))
        }.get()
        await established(channel: channel, localJID: localJID, mechanism: nil, batches: batches, endpoint: endpoint)
    }
}

extension XMPPClient {
    /// Runs the client over a channel that carries stanzas as ``XMLElement``s, as if negotiation had ended with this
    /// JID and these stream features. For ``XMPPTesting``'s scripted server.
    package func connect(establishedOn channel: any Channel, boundJID: JID, streamFeatures: XMLElement?) async throws {
        setEstablished(features: streamFeatures)
        try await core.attachEstablished(channel: channel, localJID: boundJID, endpoint: self)
    }
}

extension XMPPComponent {
    /// Runs the component over a channel that carries stanzas as ``XMLElement``s, as if the handshake had
    /// succeeded. For ``XMPPTesting``'s scripted server.
    package func connect(establishedOn channel: any Channel, domain: JID) async throws {
        try await core.attachEstablished(channel: channel, localJID: domain, endpoint: self)
    }
}
