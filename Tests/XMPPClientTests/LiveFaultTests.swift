import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Testing
import XMPPClient
import XMPPStream
import XMPPTesting

/// What one client saw, for a fault test to read: its connection events with their times, the stanzas it was told
/// could not be delivered, and (for a receiver) every message id received, duplicates included.
final class FaultLog: Sendable {
    struct State {
        var events: [(ContinuousClock.Instant, ConnectionEvent)] = []
        var received: [String: Int] = [:]
        var undeliverable: [String] = []
    }

    let state = NIOLockedValueBox(State())

    func watch(_ client: XMPPClient) {
        client.observe(ConnectionEvent.self) { [self] event in
            state.withLockedValue { state in
                state.events.append((.now, event))
                if case .reboundWithoutResumption(_, let undeliverable) = event {
                    state.undeliverable += undeliverable.compactMap { $0["id"] }
                }
            }
        }
    }

    func receive(on client: XMPPClient) {
        client.onMessage(.message(.chat)) { [self] message, _ in
            guard let id = message.id else { return }
            state.withLockedValue { $0.received[id, default: 0] += 1 }
        }
    }

    var events: [ConnectionEvent] { state.withLockedValue { $0.events.map(\.1) } }
    func count(_ predicate: (ConnectionEvent) -> Bool) -> Int { events.filter(predicate).count }

    /// Waits (polling, bounded) until a condition holds.
    func wait(
        for seconds: Double, _ what: String, until condition: @Sendable () -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting for \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The times from each loss of the connection to the stream resumed after it, in milliseconds.
    var reconnectToResumed: [Double] {
        state.withLockedValue { state in
            var lost: ContinuousClock.Instant?
            var times: [Double] = []
            for (time, event) in state.events {
                switch event {
                case .disconnected: lost = lost ?? time
                case .resumed:
                    if let start = lost {
                        let (seconds, attoseconds) = (time - start).components
                        times.append(Double(seconds) * 1000 + Double(attoseconds) / 1e15)
                    }
                    lost = nil
                default: break
                }
            }
            return times
        }
    }
}

/// Faults between a client and a real server: the fault-injection proxy cuts, stalls and black-holes the client's
/// connection, and stream management with resumption must lose nothing. Serialized: the figures are per fault kind.
@Suite("Faults against live servers", .enabled(if: LiveServer.enabled), .serialized, .timeLimit(.minutes(3)))
struct LiveFaultTests {
    static func configuration(
        _ server: LiveServer,
        _ account: String,
        resource: String,
        through proxy: FaultProxy? = nil
    ) throws -> XMPPClient.Configuration {
        var configuration = try server.clientConfiguration(account: account, resource: resource)
        if let proxy { configuration.port = proxy.port }
        configuration.logger.logLevel = .error
        configuration.reconnection = ReconnectionPolicy(
            initialDelay: .milliseconds(50), maximumDelay: .milliseconds(400), maximumAttempts: 50)
        configuration.streamManagement = StreamManagement.Settings(
            requestAfterStanzas: 10, requestAfterMilliseconds: 200)
        configuration.negotiationTimeout = .seconds(10)
        return configuration
    }

    /// Starts `serve()` and waits until the client is bound.
    static func serve(_ client: XMPPClient, log: FaultLog) async throws -> Task<Void, any Error> {
        let task = Task { try await client.serve() }
        try await log.wait(for: 15, "the client to bind") {
            log.events.contains { if case .bound = $0 { true } else { false } }
        }
        return task
    }

    /// A receiver connected directly and a sender through the proxy, both serving and bound.
    struct Pair {
        let proxy: FaultProxy
        let sender: XMPPClient
        let senderLog: FaultLog
        let receiverLog: FaultLog
        let to: JID
        let tasks: [Task<Void, any Error>]

        /// - Parameters:
        ///   - port: The server's port the proxy forwards to: STARTTLS c2s unless given.
        ///   - transport: How the sender reaches the proxy: TCP unless given.
        static func start(
            on server: LiveServer, tag: String, port: Int? = nil,
            transport: ((FaultProxy) throws -> XMPPClient.Configuration.Transport)? = nil
        ) async throws -> Pair {
            let proxy = try await FaultProxy.start(to: server.host, port: port ?? server.startTLSPort)
            let receiverLog = FaultLog()
            let senderLog = FaultLog()
            let receiver = try XMPPClient(configuration: configuration(server, "user3", resource: "receiver-\(tag)"))
            var senderConfiguration = try configuration(server, "user2", resource: "sender-\(tag)", through: proxy)
            if let transport { senderConfiguration.transport = try transport(proxy) }
            let sender = try XMPPClient(configuration: senderConfiguration)
            receiverLog.watch(receiver)
            receiverLog.receive(on: receiver)
            senderLog.watch(sender)
            let receiving = try await serve(receiver, log: receiverLog)
            let sending = try await serve(sender, log: senderLog)
            let to = try #require(receiver.boundJID)
            return Pair(
                proxy: proxy, sender: sender, senderLog: senderLog, receiverLog: receiverLog, to: to,
                tasks: [sending, receiving])
        }

        func stop() async {
            for task in tasks { task.cancel() }
            for task in tasks { _ = try? await task.value }
            await proxy.stop()
        }
    }

    @Test(arguments: LiveServer.names)
    func aThousandMessagesSurviveTwentyCuts(_ name: String) async throws {
        let pair = try await Pair.start(on: try LiveServer.require(name), tag: "\(name)")
        let (proxy, sender, senderLog, receiverLog, to) = (
            pair.proxy, pair.sender, pair.senderLog, pair.receiverLog, pair.to
        )

        // 20 rounds of 50 messages. In each, once the stream is up again, a cut is armed at a random byte count toward
        // the server (so mostly mid-stanza), alternating FIN and reset; one that has not happened by the end of its
        // round is made at once. Messages sent while the connection is down are held and go out on the resumed stream.
        var random = SplitMix64(seed: name == "prosody" ? 0x5eed_0001 : 0x5eed_0002)
        var midStream = 0
        for round in 0..<20 {
            try await senderLog.wait(for: 15, "the stream to come back before cut \(round + 1)") {
                sender.boundJID != nil
            }
            let cut: FaultProxy.Cut = round.isMultiple(of: 2) ? .fin : .reset
            let cuts = proxy.cuts
            proxy.cut(after: Int.random(in: 0..<5000, using: &random), toward: .server, with: cut)
            for n in (round * 50 + 1)...(round * 50 + 50) {
                try await sender.send(Message.chat(to: to, body: "message \(n)").withID("m\(n)"))
                if n.isMultiple(of: 5) { try await Task.sleep(for: .milliseconds(1)) }
            }
            if proxy.cuts == cuts {
                // Disarmed first: left armed, it would cut the next connection while it negotiates.
                proxy.disarm()
                proxy.cutAll(with: cut)
            } else {
                midStream += 1
            }
            try await senderLog.wait(for: 15, "cut \(round + 1) to be seen") {
                senderLog.count { if case .reconnecting = $0 { true } else { false } } > round
            }
        }
        #expect(proxy.cuts >= 20)

        // Everything acknowledged on a live connection, and at the receiver.
        try await senderLog.wait(for: 60, "every message to be acknowledged") {
            sender.boundJID != nil && sender.unacknowledgedCount == 0
        }
        let undeliverable = Set(senderLog.state.withLockedValue { $0.undeliverable })
        try await receiverLog.wait(for: 30, "the messages to arrive") {
            receiverLog.state.withLockedValue { $0.received.count } + undeliverable.count >= 1000
        }
        let received = receiverLog.state.withLockedValue { $0.received }
        let all = Set((1...1000).map { "m\($0)" })
        let duplicates = received.values.reduce(0) { $0 + $1 - 1 }
        // Every message arrived exactly once, or the sender was told it could not be delivered.
        #expect(Set(received.keys).union(undeliverable) == all)
        #expect(Set(received.keys).isDisjoint(with: undeliverable))
        let resumed = senderLog.count { if case .resumed = $0 { true } else { false } }
        let rebound = senderLog.count { if case .reboundWithoutResumption = $0 { true } else { false } }
        let reconnecting = senderLog.count { if case .reconnecting = $0 { true } else { false } }
        // With resumption, nothing is lost and nothing comes twice.
        #expect(rebound == 0)
        #expect(undeliverable.isEmpty)
        if name == "ejabberd" {
            // ejabberd 23.01's <resumed h='…'/> sometimes counts fewer stanzas than it went on to deliver (the wire
            // shows h='204' after it had routed up to m215): the client sends again what the server said it lacked,
            // as XEP-0198 §5 requires, and the receiver gets those twice.
            withKnownIssue("ejabberd under-reports 'h' on resumption", isIntermittent: true) {
                #expect(duplicates == 0)
            }
        } else {
            #expect(duplicates == 0)
        }
        #expect(resumed == 20)
        let times = senderLog.reconnectToResumed.sorted()
        let median = times.isEmpty ? 0 : times[times.count / 2]
        print(
            "[figures] \(name) cuts: \(proxy.cuts) (\(midStream) by byte count), reconnect attempts \(reconnecting), "
                + "resumed \(resumed), rebound \(rebound), received \(received.count), duplicates \(duplicates), "
                + "undeliverable \(undeliverable.count), reconnect→resumed median \(String(format: "%.1f", median)) ms, "
                + "max \(String(format: "%.1f", times.last ?? 0)) ms")

        await pair.stop()
    }

    @Test(arguments: LiveServer.names)
    func aHalfOpenConnectionIsFoundWithinTheTimeoutAndResumed(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let proxy = try await FaultProxy.start(to: server.host, port: server.startTLSPort)
        var configuration = try Self.configuration(server, "user4", resource: "half-open-\(name)", through: proxy)
        configuration.liveness = XMPPStreamHandler.Liveness(
            whitespaceKeepalive: .milliseconds(200), readIdleTimeout: .milliseconds(500),
            probeTimeout: .milliseconds(700))
        let client = try XMPPClient(configuration: configuration)
        let log = FaultLog()
        log.watch(client)
        // Forwarding comes back as soon as the dead connection is found, so that the reconnection goes through.
        let holeOpened = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
        let detected = NIOLockedValueBox<Duration?>(nil)
        client.observe(ConnectionEvent.self) { event in
            guard case .disconnected = event, let opened = holeOpened.withLockedValue({ $0 }) else { return }
            detected.withLockedValue { $0 = $0 ?? (.now - opened) }
            proxy.mode = .forward
        }
        let serving = try await Self.serve(client, log: log)
        try await Task.sleep(for: .milliseconds(300))

        holeOpened.withLockedValue { $0 = .now }
        proxy.mode = .blackHole
        try await log.wait(for: 10, "the dead connection to be found") { detected.withLockedValue { $0 } != nil }
        let elapsed = try #require(detected.withLockedValue { $0 })
        // Up to the read-idle time plus the probe's timeout (and the keepalive interval, which may have reset it).
        #expect(elapsed < .milliseconds(500 + 700 + 200 + 600))
        let reason = log.events.compactMap { if case .disconnected(let reason) = $0 { reason } else { nil } }.first
        #expect(reason?.contains("did not answer within 700 ms") == true)
        try await log.wait(for: 15, "the stream to be resumed") {
            log.events.contains { if case .resumed = $0 { true } else { false } }
        }
        print("[figures] \(name) half-open connection found after \(elapsed)")
        serving.cancel()
        _ = try? await serving.value
        await proxy.stop()
    }

    @Test(arguments: LiveServer.names)
    func aStalledConnectionResumesWithNothingLost(_ name: String) async throws {
        let pair = try await Pair.start(on: try LiveServer.require(name), tag: "stall-\(name)")
        let (proxy, sender, senderLog, receiverLog, to) = (
            pair.proxy, pair.sender, pair.senderLog, pair.receiverLog, pair.to
        )
        // Stalled: the messages are held by the proxy, unacknowledged; then the connection is reset while stalled.
        proxy.mode = .stall
        for n in 1...20 { try await sender.send(Message.chat(to: to, body: "stalled \(n)").withID("s\(n)")) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(sender.unacknowledgedCount == 20)
        proxy.cutAll(with: .reset)
        proxy.mode = .forward
        try await senderLog.wait(for: 20, "the stream to resume and the messages to be acknowledged") {
            sender.boundJID != nil && sender.unacknowledgedCount == 0
        }
        try await receiverLog.wait(for: 10, "the messages to arrive") {
            receiverLog.state.withLockedValue { $0.received.count } == 20
        }
        #expect(receiverLog.state.withLockedValue { $0.received.values.allSatisfy { $0 == 1 } })
        #expect(senderLog.count { if case .resumed = $0 { true } else { false } } == 1)
        await pair.stop()
    }

    @Test(arguments: LiveServer.names)
    func closeWaitsForTheLastAcknowledgementAndReturnsWhatHasNone(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let proxy = try await FaultProxy.start(to: server.host, port: server.startTLSPort)
        let to = try JID(parsing: "user3@\(server.domain)")
        // A live server acknowledges before the stream closes: nothing comes back.
        let client = try XMPPClient(
            configuration: Self.configuration(server, "user6", resource: "close-\(name)", through: proxy))
        try await client.connect()
        for n in 1...5 { try await client.send(Message.chat(to: to, body: "closing \(n)").withID("c\(n)")) }
        #expect(client.unacknowledgedCount == 5)
        #expect(await client.close().isEmpty)

        // A stalled one does not: the five come back after the wait, not dropped unseen.
        let stalled = try XMPPClient(
            configuration: Self.configuration(server, "user6", resource: "close-stalled-\(name)", through: proxy))
        try await stalled.connect()
        proxy.mode = .stall
        for n in 1...5 { try await stalled.send(Message.chat(to: to, body: "stalled \(n)").withID("s\(n)")) }
        let closing = Task { await stalled.close(acknowledgementTimeout: .milliseconds(300)) }
        // Then the connection goes (else the close waits its bounded time for the server's </stream:stream>).
        try await Task.sleep(for: .milliseconds(600))
        proxy.cutAll(with: .reset)
        let left = await closing.value
        #expect(left.compactMap { $0["id"] } == ["s1", "s2", "s3", "s4", "s5"])
        proxy.mode = .forward
        await proxy.stop()
    }

    // MARK: - What is not retried

    @Test(arguments: LiveServer.names)
    func aConflictIsReportedAndNotRetried(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let first = try XMPPClient(configuration: Self.configuration(server, "user5", resource: "same"))
        let log = FaultLog()
        log.watch(first)
        let serving = try await Self.serve(first, log: log)
        let second = try XMPPClient(configuration: Self.configuration(server, "user5", resource: "same"))
        try await second.connect()
        // The server replaces the first session: its serve() ends with the conflict, and does not come back.
        let error = try await #require(throws: XMPPClientError.self) { try await serving.value }
        #expect(error.code == .streamError)
        #expect(error.condition == "conflict")
        #expect(log.count { if case .reconnecting = $0 { true } else { false } } == 0)
        await second.close()
    }

    @Test(arguments: LiveServer.names)
    func aWrongPasswordIsReportedAndNotRetried(_ name: String) async throws {
        let server = try LiveServer.require(name)
        var configuration = try Self.configuration(server, "user5", resource: "wrong-password")
        configuration.password = "not the password"
        let client = try XMPPClient(configuration: configuration)
        let log = FaultLog()
        log.watch(client)
        let error = try await #require(throws: XMPPClientError.self) { try await client.serve() }
        #expect(error.code == .authenticationFailed)
        #expect(error.condition == "not-authorized")
        #expect(log.count { if case .reconnecting = $0 { true } else { false } } == 0)
    }

    @Test(arguments: LiveServer.names)
    func aBadCertificateIsReportedAndNotRetried(_ name: String) async throws {
        let server = try LiveServer.require(name)
        var configuration = try Self.configuration(server, "user5", resource: "bad-certificate")
        configuration.trust = .system
        let client = try XMPPClient(configuration: configuration)
        let log = FaultLog()
        log.watch(client)
        let error = try await #require(throws: XMPPClientError.self) { try await client.serve() }
        #expect(error.code == .tlsFailed)
        #expect(error.condition == "untrusted-certificate")
        #expect(log.count { if case .reconnecting = $0 { true } else { false } } == 0)
    }

    @Test(arguments: LiveServer.names)
    func theStateSurvivesTheProcessAndTheStreamIsResumedFromIt(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let proxy = try await FaultProxy.start(to: server.host, port: server.startTLSPort)
        let receiverLog = FaultLog()
        let receiver = try XMPPClient(configuration: Self.configuration(server, "user3", resource: "saved-r-\(name)"))
        receiverLog.watch(receiver)
        receiverLog.receive(on: receiver)
        let receiving = try await Self.serve(receiver, log: receiverLog)
        let to = try #require(receiver.boundJID)

        // The first "process": stalls with five messages unacknowledged, saves its state and dies.
        let configuration = try Self.configuration(server, "user2", resource: "saved-\(name)", through: proxy)
        let first = try XMPPClient(configuration: configuration)
        try await first.connect()
        proxy.mode = .stall
        for n in 1...5 { try await first.send(Message.chat(to: to, body: "saved \(n)").withID("p\(n)")) }
        let saved = try #require(first.streamManagementState)
        #expect(saved.unacknowledged.count == 5)
        let encoded = try JSONEncoder().encode(saved)
        proxy.cutAll(with: .reset)
        proxy.mode = .forward

        // The second: restores it, resumes the same stream and sends what the server did not have.
        var restored = configuration
        restored.restoredStreamManagement = try JSONDecoder().decode(
            StreamManagementSession.SavedState.self, from: encoded)
        let second = try XMPPClient(configuration: restored)
        let log = FaultLog()
        log.watch(second)
        try await second.connect()
        #expect(log.events.contains { if case .resumed = $0 { true } else { false } })
        #expect(second.boundJID?.description == saved.boundJID)
        try await receiverLog.wait(for: 10, "the messages to arrive") {
            receiverLog.state.withLockedValue { $0.received.count } == 5
        }
        #expect(receiverLog.state.withLockedValue { $0.received.values.allSatisfy { $0 == 1 } })
        await second.close()
        receiving.cancel()
        _ = try? await receiving.value
        await proxy.stop()
    }
}

extension Message {
    func withID(_ id: String) -> Message {
        var message = self
        message.id = id
        return message
    }
}
