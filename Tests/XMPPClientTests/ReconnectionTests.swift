import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
import XMPPStream
import XMPPTesting

@testable import XMPPClient

/// The backoff policy and the supervisor that applies it, on the test clock: delays grow, jitter stays inside its
/// bounds, what would only fail again is not retried, and close() stops a supervisor that is waiting.
@Suite struct ReconnectionTests {
    @Test func theCeilingGrowsByTheFactorUpToTheMaximum() {
        let policy = ReconnectionPolicy(initialDelay: .seconds(1), factor: 2, maximumDelay: .seconds(60))
        #expect((1...9).map { policy.ceiling(attempt: $0) } == [1, 2, 4, 8, 16, 32, 60, 60, 60].map { .seconds($0) })
        #expect(policy.ceiling(attempt: 10_000) == .seconds(60))
        let fractional = ReconnectionPolicy(initialDelay: .milliseconds(100), factor: 1.5, maximumDelay: .seconds(1))
        #expect(fractional.ceiling(attempt: 3) == .milliseconds(225))
    }

    @Test func fullJitterStaysBetweenZeroAndTheCeiling() {
        let generator = NIOLockedValueBox(SplitMix64(seed: 42))
        let policy = ReconnectionPolicy(
            initialDelay: .milliseconds(500), maximumDelay: .seconds(30),
            random: { generator.withLockedValue { Double.random(in: 0..<1, using: &$0) } })
        for attempt in 1...8 {
            let ceiling = policy.ceiling(attempt: attempt)
            let delays = (0..<2000).map { _ in policy.delay(attempt: attempt) }
            #expect(delays.allSatisfy { $0 >= .zero && $0 <= ceiling })
            // Uniform: the mean is near half the ceiling, and both ends are reached.
            let mean = delays.reduce(Duration.zero, +) / delays.count
            #expect(mean > ceiling * 0.45 && mean < ceiling * 0.55)
            #expect(delays.contains { $0 < ceiling * 0.05 } && delays.contains { $0 > ceiling * 0.95 })
        }
        // A random source out of range is clamped, not trusted.
        let wild = ReconnectionPolicy(random: { 7 })
        #expect(wild.delay(attempt: 1) == .seconds(1))
    }

    @Test func failuresThatWouldRepeatAreNotRetried() {
        let fatal = [
            XMPPClientError(.authenticationFailed, "", condition: "not-authorized"),
            XMPPClientError(.tlsFailed, "", condition: "untrusted-certificate"),
            XMPPClientError(.tlsFailed, "", condition: "hostname-mismatch"),
            XMPPClientError(.tlsNotOffered, ""),
            XMPPClientError(.streamError, "", condition: "conflict"),
            XMPPClientError(.streamError, "", condition: "not-authorized"),
            XMPPClientError(.badInput, "", condition: "invalid-namespace"),
        ]
        let transient = [
            XMPPClientError(.connectFailed, ""),
            XMPPClientError(.connectionClosed, ""),
            XMPPClientError(.timeout, ""),
            XMPPClientError(.tlsFailed, "", condition: "unexpected-eof"),
            XMPPClientError(.streamError, "", condition: "system-shutdown"),
            XMPPClientError(.streamError, "", condition: "connection-timeout"),
            XMPPClientError(.badInput, "", condition: "not-well-formed"),
        ]
        #expect(fatal.allSatisfy(ReconnectionPolicy.isFatal))
        #expect(!transient.contains(where: ReconnectionPolicy.isFatal))
        #expect(!ReconnectionPolicy.isFatal(CancellationError()))
    }

    /// A loopback port nothing listens on: connecting is refused at once.
    static func refusedPort() async throws -> Int {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = listener.localAddress?.port ?? 1
        try await listener.close()
        return port
    }

    static func client(port: Int, clock: TestClock, attempts: Int? = 4) throws -> XMPPClient {
        var configuration = XMPPClient.Configuration(jid: try JID(parsing: "juliet@example.com"), password: "secret")
        configuration.host = "127.0.0.1"
        configuration.port = port
        configuration.services = []
        configuration.clock = clock
        configuration.logger.logLevel = .critical
        configuration.reconnection = ReconnectionPolicy(
            initialDelay: .seconds(1), factor: 2, maximumDelay: .seconds(5), maximumAttempts: attempts,
            random: { 0.5 })
        return try XMPPClient(configuration: configuration)
    }

    @Test func theSupervisorWaitsTheGrowingDelaysOnItsClockThenGivesUp() async throws {
        let clock = TestClock()
        let client = try Self.client(port: try await Self.refusedPort(), clock: clock)
        let events = NIOLockedValueBox<[ConnectionEvent]>([])
        client.observe(ConnectionEvent.self) { event in events.withLockedValue { $0.append(event) } }
        let serving = Task { try await client.serve() }
        // Half of each ceiling: 0.5, 1, 2, then 2.5 (half of the 5 s maximum).
        let expected: [Duration] = [.milliseconds(500), .seconds(1), .seconds(2), .milliseconds(2500)]
        for (index, delay) in expected.enumerated() {
            await clock.waitForSleepers(1)
            let reconnecting = events.withLockedValue { $0 }.compactMap { event -> (Int, Duration)? in
                if case .reconnecting(let attempt, let delay) = event { (attempt, delay) } else { nil }
            }
            #expect(reconnecting.count == index + 1)
            #expect(reconnecting.last?.0 == index + 1)
            #expect(reconnecting.last?.1 == delay)
            // Not a moment early: just before the delay, it is still waiting.
            clock.advance(by: delay - .milliseconds(1))
            #expect(clock.sleeperCount == 1)
            clock.advance(by: .milliseconds(1))
        }
        // The fifth failure in a row is past the limit: serve() throws it.
        let error = try await #require(throws: XMPPClientError.self) { try await serving.value }
        #expect(error.code == .connectFailed)
    }

    @Test func closeStopsASupervisorThatIsWaiting() async throws {
        let clock = TestClock()
        let client = try Self.client(port: try await Self.refusedPort(), clock: clock, attempts: nil)
        let serving = Task { try await client.serve() }
        await clock.waitForSleepers(1)
        await client.close()
        // Returns without an error and without another attempt.
        try await serving.value
        #expect(clock.sleeperCount == 0)
    }

    @Test func stanzasAreHeldWhileReconnectingUpToTheLimit() async throws {
        let clock = TestClock()
        var configuration = try Self.client(port: try await Self.refusedPort(), clock: clock, attempts: nil)
            .configuration
        configuration.streamManagement = StreamManagement.Settings(maximumHeld: 3)
        let client = try XMPPClient(configuration: configuration)
        let serving = Task { try await client.serve() }
        await clock.waitForSleepers(1)
        let to = try JID(parsing: "romeo@example.net")
        for n in 1...3 { try await client.send(Message.chat(to: to, body: "held \(n)")) }
        #expect(client.unacknowledgedCount == 3)
        // The next attempt fails too: what was held is kept (set aside for after binding), and still counts.
        clock.advance(by: .milliseconds(500))
        await clock.waitForSleepers(1)
        let error = try await #require(throws: XMPPClientError.self) {
            try await client.send(Message.chat(to: to, body: "one too many"))
        }
        #expect(error.code == .connectionClosed)
        #expect(error.message.contains("at their limit"))
        // After close() nothing holds: sending fails as before.
        await client.close()
        try await serving.value
        #expect(client.unacknowledgedCount == 0)
        await #expect(throws: XMPPClientError.self) { try await client.send(Message.chat(to: to, body: "late")) }
    }

    @Test func cancellationStopsASupervisorThatIsWaiting() async throws {
        let clock = TestClock()
        let client = try Self.client(port: try await Self.refusedPort(), clock: clock, attempts: nil)
        let serving = Task { try await client.serve() }
        await clock.waitForSleepers(1)
        serving.cancel()
        try await serving.value
    }

    @Test func withoutReconnectionServeEndsWithTheFirstFailure() async throws {
        let clock = TestClock()
        var configuration = try Self.client(port: try await Self.refusedPort(), clock: clock).configuration
        configuration.reconnection = .never
        let client = try XMPPClient(configuration: configuration)
        let error = try await #require(throws: XMPPClientError.self) { try await client.serve() }
        #expect(error.code == .connectFailed)
    }

    @Test func aResumptionLocationIsReadAsXEP0198WritesIt() {
        #expect(XMPPClient.hostAndPort("xmpp.example.com:5223", defaultPort: 5222)! == ("xmpp.example.com", 5223))
        #expect(XMPPClient.hostAndPort("xmpp.example.com", defaultPort: 5222)! == ("xmpp.example.com", 5222))
        #expect(XMPPClient.hostAndPort("[2001:db8::1]:5222", defaultPort: 1)! == ("2001:db8::1", 5222))
        #expect(XMPPClient.hostAndPort("[2001:db8::1]", defaultPort: 5222)! == ("2001:db8::1", 5222))
        for bad in ["", ":5222", "host:0", "host:99999", "host:x", "a:b:c", "[::1", "[::1]x"] {
            #expect(XMPPClient.hostAndPort(bad, defaultPort: 5222) == nil, "\(bad)")
        }
    }
}
