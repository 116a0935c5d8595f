import Testing
import XMPPClient
import XMPPExtensions
import XMPPTesting

@Suite("Handlers: order, once, removal, typed payloads", .timeLimit(.minutes(1)))
struct HandlerTests {
    @Test func handlersRunInRegistrationOrderAndOnceRunsOnce() async throws {
        let (client, server) = try await scriptedClient()
        let recorder = Recorder<String>()
        client.on(.any) { stanza, _ in recorder.record("A \(stanza["id"] ?? "")") }
        client.on(.message(), once: true) { stanza, _ in recorder.record("B \(stanza["id"] ?? "")") }
        client.onMessage(.message(.chat)) { message, _ in recorder.record("C \(message.id ?? "") \(message.body ?? "")")
        }
        try await server.deliver(
            "<message type='chat' id='1' from='romeo@example.net/orchard'><body>one</body></message>",
            "<message type='chat' id='2' from='romeo@example.net/orchard'><body>two</body></message>",
            "<presence id='3' from='romeo@example.net/orchard'/>")
        #expect(await recorder.next(6) == ["A 1", "B 1", "C 1 one", "A 2", "C 2 two", "A 3"])
    }

    @Test func aRemovedHandlerNoLongerRuns() async throws {
        let (client, server) = try await scriptedClient()
        let recorder = Recorder<String>()
        let token = client.on(.message()) { stanza, _ in recorder.record("removed \(stanza["id"] ?? "")") }
        client.on(.message()) { stanza, _ in recorder.record("kept \(stanza["id"] ?? "")") }
        try await server.deliver("<message id='1'/>")
        #expect(await recorder.next(2) == ["removed 1", "kept 1"])
        client.remove(token)
        try await server.deliver("<message id='2'/>")
        #expect(await recorder.next(1) == ["kept 2"])
    }

    @Test func aTypedPayloadHandlerGetsTheDecodedPayload() async throws {
        let (client, server) = try await scriptedClient()
        let recorder = Recorder<String>()
        client.onMessage(carrying: Receipts.Received.self) { message, receipt, _ in
            recorder.record("\(message.from?.description ?? "") \(receipt.id)")
        }
        client.on(.any) { stanza, _ in recorder.record("any \(stanza["id"] ?? "")") }
        try await server.deliver(
            "<message id='x' from='romeo@example.net/orchard'><body>no receipt</body></message>",
            "<message id='y' from='romeo@example.net/orchard'><received xmlns='urn:xmpp:receipts' id='m7'/></message>")
        #expect(await recorder.next(3) == ["any x", "romeo@example.net/orchard m7", "any y"])
    }

    @Test func aThrowingHandlerDoesNotStopTheOthers() async throws {
        let (client, server) = try await scriptedClient()
        let recorder = Recorder<String>()
        client.on(.any) { _, _ in throw StanzaError.badRequest }
        client.on(.any) { stanza, _ in recorder.record(stanza["id"] ?? "") }
        try await server.deliver("<message id='1'/>", "<message id='2'/>")
        #expect(await recorder.next(2) == ["1", "2"])
    }

    @Test func theStanzaSequenceSeesWhatMatches() async throws {
        let (client, server) = try await scriptedClient()
        let messages = client.stanzas(matching: .message(.chat))
        try await server.deliver(
            "<presence id='p'/>", "<message type='chat' id='c1'/>", "<message type='headline' id='h'/>",
            "<message type='chat' id='c2'/>")
        var ids: [String] = []
        for await stanza in messages {
            ids.append(stanza["id"] ?? "")
            if ids.count == 2 { break }
        }
        #expect(ids == ["c1", "c2"])
    }
}
