import NIOConcurrencyHelpers
import Testing
import XMPPClient
import XMPPExtensions
import XMPPTesting

/// Delivery receipts (XEP-0184) on the wire: requests added and tracked, receipts counted only from the recipient,
/// requests answered.
@Suite("Delivery receipts", .timeLimit(.minutes(1)))
struct DeliveryReceiptsTests {
    let romeo = "romeo@example.net/orchard"

    @Test func aChatMessageGetsARequestAndIsConfirmedByItsRecipientOnly() async throws {
        let receipts = DeliveryReceiptsService()
        let (client, server) = try await scriptedClient(services: [receipts])
        let confirmed = NIOLockedValueBox<[DeliveryReceipt]>([])
        client.observe(DeliveryReceipt.self) { receipt in confirmed.withLockedValue { $0.append(receipt) } }

        var message = Message.chat(to: try JID(parsing: romeo), body: "hello")
        message.id = "r1"
        try await client.send(message)
        let sent = try Message(xml: try await server.nextSent())
        #expect(try sent.payload(Receipts.Request.self) != nil)
        #expect(receipts.unconfirmed.map(\.id) == ["r1"])

        // A receipt from someone else does not count; the recipient's (another resource of it) does, once.
        try await deliverAndWait(
            server, client,
            "<message from='mallory@example.org/x'><received xmlns='urn:xmpp:receipts' id='r1'/></message>")
        #expect(receipts.unconfirmed.map(\.id) == ["r1"])
        try await deliverAndWait(
            server, client,
            "<message from='romeo@example.net/phone'><received xmlns='urn:xmpp:receipts' id='r1'/></message>",
            "<message from='\(romeo)'><received xmlns='urn:xmpp:receipts' id='r1'/></message>")
        #expect(receipts.unconfirmed.isEmpty)
        #expect(
            confirmed.withLockedValue { $0 } == [
                DeliveryReceipt(id: "r1", from: try JID(parsing: "romeo@example.net/phone"))
            ])
    }

    @Test func onlyChatAndNormalMessagesWithABodyAndAnIDAreTracked() async throws {
        let receipts = DeliveryReceiptsService()
        let (client, server) = try await scriptedClient(services: [receipts])
        let to = try JID(parsing: romeo)
        var groupchat = Message.chat(to: to, body: "all", type: .groupchat)
        groupchat.id = "g1"
        var noBody = Message(to: to, type: .chat)
        noBody.id = "n1"
        var normal = Message.chat(to: to, body: "plain", type: .normal)
        normal.id = "p1"
        for message in [groupchat, noBody, normal] { try await client.send(message) }
        var requests: [Bool] = []
        for _ in 0..<3 {
            requests.append(try Message(xml: try await server.nextSent()).payload(Receipts.Request.self) != nil)
        }
        #expect(requests == [false, false, true])
        #expect(receipts.unconfirmed.map(\.id) == ["p1"])
    }

    @Test func aRequestIsAnsweredWithTheMessagesID() async throws {
        let (_, server) = try await scriptedClient(services: [DeliveryReceiptsService()])
        try await server.deliver(
            "<message from='\(romeo)' type='error' id='e1'><request xmlns='urn:xmpp:receipts'/></message>",
            "<message from='\(romeo)' type='groupchat' id='g1'><body>x</body><request xmlns='urn:xmpp:receipts'/></message>",
            "<message from='\(romeo)' type='chat' id='c1'><body>x</body><request xmlns='urn:xmpp:receipts'/></message>")
        let answer = try Message(xml: try await server.nextSent())
        #expect(answer.to?.description == romeo)
        #expect(try answer.payload(Receipts.Received.self)?.id == "c1")
        // The receipt itself carries no request.
        #expect(try answer.payload(Receipts.Request.self) == nil)
    }

    @Test func theOldestIsForgottenPastTheLimit() async throws {
        let receipts = DeliveryReceiptsService(maximumTracked: 2)
        let (client, server) = try await scriptedClient(services: [receipts])
        for n in 1...3 {
            var message = Message.chat(to: try JID(parsing: romeo), body: "\(n)")
            message.id = "m\(n)"
            try await client.send(message)
            _ = try await server.nextSent()
        }
        #expect(receipts.unconfirmed.map(\.id) == ["m2", "m3"])
        #expect(receipts.forgottenCount == 1)
    }

    /// Delivers stanzas, then a marker message, and returns once the handlers have seen the marker (so they have run
    /// for everything before it).
    func deliverAndWait(_ server: ScriptedServer, _ client: XMPPClient, _ xml: String...) async throws {
        let marker = "sync-\(UInt32.random(in: 0...UInt32.max))"
        let stanzas = client.stanzas(matching: .message())
        let elements = try (xml + ["<message from='\(romeo)' id='\(marker)'/>"]).map {
            try XMLElement(parsing: $0, defaultNamespace: "jabber:client")
        }
        try await server.deliver(elements)
        for await stanza in stanzas where stanza["id"] == marker { return }
    }
}
