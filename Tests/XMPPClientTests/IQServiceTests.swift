import Testing
import XMPPClient
import XMPPTesting

@Suite("IQ responders and requests", .timeLimit(.minutes(1)))
struct IQServiceTests {
    let romeo = "romeo@example.net/orchard"

    func versionRequest(id: String) -> String {
        "<iq type='get' id='\(id)' from='\(romeo)' to='juliet@example.com/balcony'><query xmlns='jabber:iq:version'/></iq>"
    }

    @Test func aResponderReturnsTheTypedResult() async throws {
        let (client, server) = try await scriptedClient()
        client.respond(to: .get, SoftwareVersion.Query.self) { request, _ in
            #expect(request.from?.description == "romeo@example.net/orchard")
            return SoftwareVersion.Query(name: "Balcony", version: "1.0")
        }
        try await server.deliver(versionRequest(id: "v1"))
        let reply = try IQ(xml: try await server.nextSent())
        #expect(reply.type == .result)
        #expect(reply.id == "v1")
        #expect(reply.to?.description == romeo)
        #expect(reply.from?.description == "juliet@example.com/balcony")
        #expect(try reply.payload(SoftwareVersion.Query.self) == SoftwareVersion.Query(name: "Balcony", version: "1.0"))
    }

    @Test func aThrownStanzaErrorBecomesTheErrorReply() async throws {
        let (client, server) = try await scriptedClient()
        client.respond(to: .get, SoftwareVersion.Query.self) { _, _ -> SoftwareVersion.Query in
            throw StanzaError(.notAllowed, text: "not telling")
        }
        try await server.deliver(versionRequest(id: "v2"))
        let reply = try IQ(xml: try await server.nextSent())
        #expect(reply.type == .error)
        #expect(reply.id == "v2")
        #expect(reply.error?.condition == .notAllowed)
        #expect(reply.error?.type == .cancel)
        #expect(reply.error?.text?.value == "not telling")
    }

    struct Boom: Error {}

    @Test func anyOtherErrorBecomesInternalServerError() async throws {
        let (client, server) = try await scriptedClient()
        client.respond(to: .get, SoftwareVersion.Query.self) { _, _ -> SoftwareVersion.Query in throw Boom() }
        try await server.deliver(versionRequest(id: "v3"))
        let reply = try IQ(xml: try await server.nextSent())
        #expect(reply.type == .error)
        #expect(reply.error?.condition == .internalServerError)
    }

    @Test func anUnhandledRequestIsAnsweredServiceUnavailable() async throws {
        let (client, server) = try await scriptedClient()
        // A set of a handled payload is not a get; an unknown payload is not handled at all.
        client.respond(to: .get, SoftwareVersion.Query.self) { _, _ in SoftwareVersion.Query() }
        try await server.deliver(
            "<iq type='get' id='u1' from='\(romeo)'><query xmlns='urn:example:unknown'/></iq>",
            "<iq type='set' id='u2' from='\(romeo)'><query xmlns='jabber:iq:version'/></iq>")
        let first = try IQ(xml: try await server.nextSent())
        let second = try IQ(xml: try await server.nextSent())
        #expect(Set([first.id, second.id]) == ["u1", "u2"])
        for reply in [first, second] {
            #expect(reply.type == .error)
            #expect(reply.error?.condition == .serviceUnavailable)
            #expect(reply.to?.description == romeo)
        }
        // Results and errors are never answered.
        try await server.deliver("<iq type='result' id='stray' from='\(romeo)'/>", versionRequest(id: "v4"))
        #expect(try IQ(xml: try await server.nextSent()).id == "v4")
    }

    @Test func aMalformedTypedRequestIsABadRequest() async throws {
        let (client, server) = try await scriptedClient()
        client.respond(to: .get, EntityTime.Time.self) { _, _ in EntityTime.Time() }
        try await server.deliver(
            "<iq type='get' id='b1' from='\(romeo)'><time xmlns='urn:xmpp:time'><utc>yesterday</utc></time></iq>")
        let reply = try IQ(xml: try await server.nextSent())
        #expect(reply.error?.condition == .badRequest)
    }

    @Test func aReplyFromTheWrongSenderIsIgnored() async throws {
        let (client, server) = try await scriptedClient()
        let strays = client.stanzas(matching: .iq())
        let target = try JID(parsing: romeo)
        async let answer = client.request(.get(Ping.Ping(), to: target), timeout: .seconds(30))
        let sent = try IQ(xml: try await server.nextSent())
        #expect(sent.to == target)
        // Same id, another sender: not the reply (RFC 6120 §8.1.2.1); it goes to the handlers instead.
        try await server.deliver("<iq type='result' id='\(sent.id)' from='mallory@evil.example/x'/>")
        try await server.deliver("<iq type='result' id='\(sent.id)' from='\(romeo)'/>")
        let reply = try await answer
        #expect(reply.from == target)
        for await stray in strays {
            #expect(stray["from"] == "mallory@evil.example/x")
            break
        }
    }

    @Test func anErrorReplyThrowsTheStanzaError() async throws {
        let (client, server) = try await scriptedClient()
        async let answer = client.request(.get(Ping.Ping(), to: try JID(parsing: romeo)), timeout: .seconds(30))
        let sent = try await server.nextSent()
        try await server.deliver(
            """
            <iq type='error' id='\(sent["id"] ?? "")' from='\(romeo)'><error type='cancel'>\
            <feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>
            """)
        do {
            _ = try await answer
            Issue.record("an error reply returned a result")
        } catch let error as StanzaError {
            #expect(error.condition == .featureNotImplemented)
            #expect(error.conditionName == "feature-not-implemented")
        }
    }

    @Test func aRequestTimesOutAndPendingRequestsFailWhenTheConnectionCloses() async throws {
        let (client, server) = try await scriptedClient()
        do {
            _ = try await client.request(.get(Ping.Ping()), timeout: .milliseconds(50))
            Issue.record("no reply, yet a result")
        } catch let error as XMPPClientError {
            #expect(error.code == .timeout)
        }
        async let pending = client.request(.get(Ping.Ping()), timeout: .seconds(30))
        _ = try await server.nextSent()
        _ = try await server.nextSent()
        try await server.close()
        do {
            _ = try await pending
            Issue.record("a closed connection gave a result")
        } catch let error as XMPPClientError {
            #expect(error.code == .connectionClosed)
        }
    }
}
