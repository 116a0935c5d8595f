import XMPPBaseExtensions
public import XMPPCore
import XMPPStream

/// XMPP Ping (XEP-0199): answers pings, and can ping the server on an interval and treat a missing answer as a
/// dead connection (which it then closes, with the reason in ``ConnectionEvent/disconnected(reason:)``).
public final class PingService: XMPPService {
    /// How often to ping while connected; `nil` (the default) never pings on its own.
    public let keepAliveInterval: Duration?
    /// How long a keep-alive ping may go unanswered before the connection counts as dead.
    public let timeout: Duration
    /// Whom the keep-alive pings go to; the account's server when `nil`.
    public let target: JID?

    /// The name of the keep-alive task (see ``XMPPEndpoint/scheduledTasks``).
    public static let keepAliveTaskName = "xmpp.ping.keep-alive"

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - keepAliveInterval: How often to ping while connected; `nil` never.
    ///   - timeout: How long an answer may take.
    ///   - target: Whom to ping; the server when `nil`.
    public init(keepAliveInterval: Duration? = nil, timeout: Duration = .seconds(20), target: JID? = nil) {
        self.keepAliveInterval = keepAliveInterval
        self.timeout = timeout
        self.target = target
    }

    /// Ping.
    public var features: [String] { [Ping.namespace] }

    /// Answers pings with an empty result.
    public func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {
        endpoint.respond(to: .get, Ping.Ping.self) { _, _ in }
    }

    /// Starts the keep-alive pings, when configured.
    public func endpointDidConnect<Endpoint: XMPPEndpoint>(_ endpoint: Endpoint) async {
        guard let interval = keepAliveInterval else { return }
        let (timeout, target) = (self.timeout, self.target)
        endpoint.schedule(Self.keepAliveTaskName, after: interval, repeating: true) { endpoint in
            guard endpoint.localJID != nil else { return }
            do {
                _ = try await endpoint.ping(target, timeout: timeout)
            } catch is StanzaError {
                // An error reply is an answer: the connection is alive.
            } catch let error as XMPPClientError where error.code == .timeout {
                endpoint.core.disconnect(reason: "no answer to a keep-alive ping within \(timeout)")
            } catch {
                // Not connected: nothing to check.
            }
        }
    }
}

extension XMPPEndpoint {
    /// Pings an entity (XEP-0199) and measures the round trip.
    ///
    /// - Parameters:
    ///   - jid: Whom to ping; the account's server when `nil`.
    ///   - timeout: How long to wait.
    /// - Returns: The round-trip time, on the endpoint's clock.
    /// - Throws: ``StanzaError`` when the entity answers with an error (it is there, but does not support ping),
    ///   ``XMPPClientError`` for a timeout.
    @discardableResult
    public func ping(_ jid: JID? = nil, timeout: Duration? = nil) async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await request(.get(Ping.Ping(), to: jid), timeout: timeout)
        return clock.now - start
    }
}
