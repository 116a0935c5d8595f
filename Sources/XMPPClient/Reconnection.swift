import XMPPCore
import XMPPStream

/// When and how often ``XMPPClient/serve()`` connects again after losing its connection: exponential backoff with
/// full jitter (each delay is drawn uniformly between zero and a ceiling that grows by ``factor`` per attempt up to
/// ``maximumDelay``), so that many clients cut off together do not come back together.
///
/// Failures that another attempt would only repeat are reported instead of retried: an authentication failure, a
/// certificate that does not verify, a server without TLS, a `conflict` (another session took the resource) and the
/// other stream errors that say the account or the request is wrong. The application's ``XMPPClient/close()`` ends
/// it too.
public struct ReconnectionPolicy: Sendable {
    /// Whether to reconnect at all. On by default.
    public var isEnabled: Bool
    /// The ceiling of the first delay.
    public var initialDelay: Duration
    /// How much the ceiling grows per attempt.
    public var factor: Double
    /// The largest ceiling.
    public var maximumDelay: Duration
    /// How many attempts in a row may fail before ``XMPPClient/serve()`` gives up and throws the last error; `nil`
    /// for no limit. Success starts the count again.
    public var maximumAttempts: Int?
    /// A number in `0..<1`, for the jitter (a seeded generator in tests).
    public var random: @Sendable () -> Double

    /// Creates a policy: first delay up to 1 s, doubling, at most 60 s, attempts without limit.
    public init(
        initialDelay: Duration = .seconds(1),
        factor: Double = 2,
        maximumDelay: Duration = .seconds(60),
        maximumAttempts: Int? = nil,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.isEnabled = true
        self.initialDelay = initialDelay
        self.factor = max(1, factor)
        self.maximumDelay = maximumDelay
        self.maximumAttempts = maximumAttempts
        self.random = random
    }

    /// Never reconnect: ``XMPPClient/serve()`` ends with the first connection.
    public static var never: ReconnectionPolicy {
        var policy = ReconnectionPolicy()
        policy.isEnabled = false
        return policy
    }

    /// The largest delay before attempt `attempt` (1 for the first).
    public func ceiling(attempt: Int) -> Duration {
        let exponent = Double(max(0, attempt - 1))
        let seconds = Self.seconds(initialDelay) * pow(factor, exponent)
        return min(maximumDelay, seconds.isFinite ? .seconds(seconds) : maximumDelay)
    }

    /// The delay before attempt `attempt`: uniform between zero and ``ceiling(attempt:)``.
    public func delay(attempt: Int) -> Duration {
        let fraction = min(max(random(), 0), 1)
        return .seconds(Self.seconds(ceiling(attempt: attempt)) * fraction)
    }

    /// Whether an error is one that trying again would only repeat.
    public static func isFatal(_ error: any Error) -> Bool {
        guard let error = error as? XMPPClientError else { return false }
        switch error.code {
        case .authenticationFailed, .saslProtocolError, .tlsNotOffered, .invalidConfiguration, .notSupported:
            return true
        case .tlsFailed:
            // A certificate that does not verify, or no shared protocol version; a handshake cut off is not fatal.
            return error.condition.map(fatalTLSConditions.contains) ?? false
        case .streamError, .bindFailed, .badInput:
            return error.condition.map(fatalStreamConditions.contains) ?? false
        default:
            return false
        }
    }

    static let fatalTLSConditions: Set<String> = [
        "untrusted-certificate", "hostname-mismatch", "certificate-expired", "certificate-not-yet-valid",
        "certificate-invalid", "protocol-version", "invalid-configuration",
    ]

    /// Stream errors that say the account, the address or our own stream is wrong (RFC 6120 §4.9.3).
    static let fatalStreamConditions: Set<String> = [
        "conflict", "not-authorized", "host-unknown", "host-gone", "improper-addressing", "invalid-from",
        "invalid-namespace", "policy-violation", "unsupported-version", "unsupported-encoding",
        "unsupported-stanza-type", "restricted-xml",
    ]

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    private func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0 && result < 1e12 {
            result *= base
            remaining -= 1
        }
        return result
    }
}

/// Raised once when ``XMPPClient/serve()`` stops for good (closed, cancelled, or given up): what was held across
/// disconnections ends with it.
struct ServingEnded: Sendable {}

/// The rule for what a failed resumption sends again: messages (their ids let the receiver drop a duplicate) and
/// subscription management; not IQs (a request's caller is told instead; a reply answers a session that is gone) nor
/// availability, which the new session announces afresh.
enum Resend {
    static func isSafe(_ stanza: XMLElement) -> Bool {
        switch stanza.name.localName {
        case "message":
            return true
        case "presence":
            switch stanza["type"] {
            case "subscribe", "subscribed", "unsubscribe", "unsubscribed": return true
            default: return false
            }
        default:
            return false
        }
    }
}
