import NIOConcurrencyHelpers
import Testing
import XMPPClient
import XMPPExtensions
import XMPPTesting

/// Message carbons against the real servers (Prosody's mod_carbons, ejabberd's mod_carboncopy): two clients of one
/// account see each other's conversation with a third. Both are available (ejabberd copies to available resources
/// only, as a real client is).
@Suite("Carbons against live servers", .enabled(if: LiveServer.enabled), .timeLimit(.minutes(2)))
struct LiveCarbonsTests {
    @Test(arguments: LiveServer.names)
    func twoClientsOfAnAccountSeeEachOthersConversation(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let phoneCarbons = CarbonsService()
        var phoneConfiguration = try server.clientConfiguration(account: "user11", resource: "phone-\(name)")
        phoneConfiguration.services = [RosterService(), PresenceService(), phoneCarbons]
        var laptopConfiguration = try server.clientConfiguration(account: "user11", resource: "laptop-\(name)")
        let laptopCarbons = CarbonsService()
        laptopConfiguration.services = [RosterService(), PresenceService(), laptopCarbons]
        let phone = try XMPPClient(configuration: phoneConfiguration)
        let laptop = try XMPPClient(configuration: laptopConfiguration)
        let peer = try XMPPClient(configuration: try server.clientConfiguration(account: "user12", resource: name))
        let copies = Collected<CarbonCopy>()
        laptop.observe(CarbonCopy.self) { copies.append($0) }
        let refused = Collected<RefusedCarbonCopy>()
        laptop.observe(RefusedCarbonCopy.self) { refused.append($0) }
        let laptopMessages = Collected<Message>()
        laptop.onMessage { message, _ in laptopMessages.append(message) }
        let phoneMessages = Collected<Message>()
        phone.onMessage { message, _ in phoneMessages.append(message) }
        try await phone.connect()
        try await laptop.connect()
        try await peer.connect()
        #expect(phoneCarbons.isEnabled)
        #expect(laptopCarbons.isEnabled)
        let phoneJID = try #require(phone.boundJID)
        let laptopJID = try #require(laptop.boundJID)
        let peerJID = try #require(peer.boundJID)
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)

        // The peer writes to the phone: the phone has it, the laptop a received copy.
        try await peer.send(Message.chat(to: phoneJID, body: "to the phone").withID("in-\(tag)"))
        let inbound = try await copies.first { $0.message.id == "in-\(tag)" }
        #expect(inbound.direction == .received)
        #expect(inbound.message.from == peerJID)
        #expect(inbound.message.body == "to the phone")
        _ = try await phoneMessages.first { $0.id == "in-\(tag)" }

        // The phone answers: the laptop has a sent copy. A private message is not copied (the one after it is).
        try await phone.send(Message.chat(to: peerJID.bare, body: "from the phone").withID("out-\(tag)"))
        try await phone.send(
            Message.chat(to: peerJID.bare, body: "just here").withID("private-\(tag)").withoutCarbons())
        try await phone.send(Message.chat(to: peerJID.bare, body: "after it").withID("after-\(tag)"))
        let outbound = try await copies.first { $0.message.id == "out-\(tag)" }
        #expect(outbound.direction == .sent)
        #expect(outbound.message.to == peerJID.bare)
        #expect(outbound.message.from == phoneJID)
        _ = try await copies.first { $0.message.id == "after-\(tag)" }
        #expect(!copies.all.contains { $0.message.id == "private-\(tag)" })

        // A forged copy from the peer, then a plain message: whatever the server does with the forgery (routes it,
        // or strips it), the laptop takes no copy from it.
        try await peer.send(
            try XMLElement(
                parsing: """
                    <message to='\(laptopJID)' id='forged-\(tag)'><received xmlns='urn:xmpp:carbons:2'>\
                    <forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='\(phoneJID)' \
                    to='\(laptopJID)' type='chat' id='forgery-\(tag)'><body>forged</body></message></forwarded>\
                    </received></message>
                    """, defaultNamespace: "jabber:client"))
        try await peer.send(Message.chat(to: laptopJID, body: "plain").withID("plain-\(tag)"))
        _ = try await laptopMessages.first { $0.id == "plain-\(tag)" }
        #expect(!copies.all.contains { $0.message.id == "forgery-\(tag)" })
        let forgeryRefused = refused.all.contains { $0.from == peerJID }
        print(
            "[figures] \(name) carbons: forged copy \(forgeryRefused ? "routed by the server and refused" : "not routed as a copy")"
        )

        await peer.close()
        await laptop.close()
        await phone.close()
    }
}

/// Values handlers collect, for a test to wait on (bounded).
final class Collected<Value: Sendable>: Sendable {
    private let values = NIOLockedValueBox<[Value]>([])

    func append(_ value: Value) { values.withLockedValue { $0.append(value) } }

    var all: [Value] { values.withLockedValue { $0 } }

    /// The first value that satisfies `predicate`, waiting up to `seconds` for it.
    func first(
        within seconds: Int = 20, where predicate: @Sendable (Value) -> Bool,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Value {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let value = all.first(where: predicate) { return value }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("nothing arrived that matched within \(seconds) s", sourceLocation: sourceLocation)
        throw CancellationError()
    }

    func first(
        sourceLocation: SourceLocation = #_sourceLocation, _ predicate: @Sendable (Value) -> Bool
    ) async throws -> Value {
        try await first(within: 20, where: predicate, sourceLocation: sourceLocation)
    }
}
