import NIOCore
import Testing
import XMPPClient
import XMPPExtensions
import XMPPTesting

/// Catching up from the archive against the real servers: a receiver without stream management loses its
/// connection, cannot reconnect for a while (the proxy black-holes it), misses five messages, and finds them in
/// its archive after the new session.
@Suite("Archive catch-up against live servers", .enabled(if: LiveServer.enabled), .timeLimit(.minutes(2)))
struct LiveArchiveCatchUpTests {
    @Test(arguments: LiveServer.names)
    func whatArrivedWhileAwayIsReadFromTheArchive(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let proxy = try await FaultProxy.start(to: server.host, port: server.startTLSPort)
        let catchUp = ArchiveCatchUpService()
        var configuration = try server.clientConfiguration(account: "user24", resource: "catchup-\(name)")
        configuration.port = proxy.port
        configuration.services = [catchUp]
        configuration.streamManagement = nil
        configuration.negotiationTimeout = .seconds(2)
        configuration.reconnection = ReconnectionPolicy(
            initialDelay: .milliseconds(50), maximumDelay: .milliseconds(300), maximumAttempts: 50)
        let receiver = try XMPPClient(configuration: configuration)
        let sender = try XMPPClient(configuration: try server.clientConfiguration(account: "user25", resource: name))
        let live = Collected<Message>()
        receiver.onMessage { message, _ in live.append(message) }
        let caughtUp = Collected<ArchiveCatchUp>()
        receiver.observe(ArchiveCatchUp.self) { caughtUp.append($0) }
        let bound = Collected<JID>()
        receiver.observe(ConnectionEvent.self) { if case .bound(let jid) = $0 { bound.append(jid) } }
        let serving = Task { try await receiver.serve() }
        try await sender.connect()
        let full = try await bound.first { _ in true }
        let to = full.bare
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)

        // One message live (to the full JID: the receiver sent no presence, so the bare JID's messages are not routed
        // to it): its archive id is the mark.
        try await sender.send(Message.chat(to: full, body: "seen").withID("seen-\(tag)"))
        _ = try await live.first { $0.id == "seen-\(tag)" }
        #expect(catchUp.lastSeen != nil)

        // Away: the connection cut and no way back for a while; five messages meanwhile.
        proxy.mode = .blackHole
        proxy.cutAll(with: .reset)
        let missed = (1...5).map { "missed-\(tag)-\($0)" }
        for id in missed { try await sender.send(Message.chat(to: to, body: id).withID(id)) }
        try await sender.ping()  // the server has handled them
        try await Task.sleep(for: .milliseconds(500))
        proxy.mode = .forward

        let event = try await caughtUp.first(within: 30) { _ in true }
        #expect(bound.all.count == 2)
        #expect(event.isComplete)
        let caught = event.messages.compactMap(\.message.id).filter { $0.hasPrefix("missed-\(tag)") }
        let heardLive = live.all.compactMap(\.id).filter { $0.hasPrefix("missed-\(tag)") }
        // Each missed message exactly once, and (without presence, nothing is delivered from offline storage) from
        // the archive.
        #expect(caught == missed)
        #expect(heardLive.isEmpty)
        #expect(!event.messages.contains { $0.message.id == "seen-\(tag)" })

        await receiver.close()
        _ = try? await serving.value
        await sender.close()
        await proxy.stop()
    }
}
