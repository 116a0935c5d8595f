/// The name of a SASL mechanism, as registered with IANA and as servers advertise it (RFC 4422 §3.1).
///
/// Names compare exactly; the registry spells them in uppercase, and ``init(rawValue:)`` keeps what it is given, so
/// that unknown names offered by a server survive unchanged. The static members name the mechanisms this module
/// implements.
public struct SASLMechanismName: RawRepresentable, Sendable, Hashable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The registered name, for example `SCRAM-SHA-256-PLUS`.
    public let rawValue: String

    /// Wraps a mechanism name as a server or a configuration spells it.
    ///
    /// - Parameter rawValue: The name, for example `SCRAM-SHA-1`.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Wraps a mechanism name written as a string literal.
    ///
    /// - Parameter value: The name, for example `"PLAIN"`.
    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    /// `PLAIN` (RFC 4616): the password in clear text, acceptable only inside TLS.
    public static let plain = SASLMechanismName(rawValue: "PLAIN")
    /// `SCRAM-SHA-1` (RFC 5802).
    public static let scramSHA1 = SASLMechanismName(rawValue: "SCRAM-SHA-1")
    /// `SCRAM-SHA-1-PLUS` (RFC 5802), with channel binding.
    public static let scramSHA1Plus = SASLMechanismName(rawValue: "SCRAM-SHA-1-PLUS")
    /// `SCRAM-SHA-256` (RFC 7677).
    public static let scramSHA256 = SASLMechanismName(rawValue: "SCRAM-SHA-256")
    /// `SCRAM-SHA-256-PLUS` (RFC 7677), with channel binding.
    public static let scramSHA256Plus = SASLMechanismName(rawValue: "SCRAM-SHA-256-PLUS")
    /// `SCRAM-SHA-512` (draft-melnikov-scram-sha-512, registered with IANA).
    public static let scramSHA512 = SASLMechanismName(rawValue: "SCRAM-SHA-512")
    /// `SCRAM-SHA-512-PLUS` (draft-melnikov-scram-sha-512, registered with IANA), with channel binding.
    public static let scramSHA512Plus = SASLMechanismName(rawValue: "SCRAM-SHA-512-PLUS")
    /// `EXTERNAL` (RFC 4422 Appendix A): authentication established outside SASL, such as a TLS client
    /// certificate.
    public static let external = SASLMechanismName(rawValue: "EXTERNAL")
    /// `ANONYMOUS` (RFC 4505): no authentication at all.
    public static let anonymous = SASLMechanismName(rawValue: "ANONYMOUS")

    /// Whether the name ends in `-PLUS`, the suffix of mechanisms that bind to the channel (RFC 5801 §4).
    public var isChannelBinding: Bool {
        rawValue.hasSuffix("-PLUS")
    }

    /// The name as registered, for example `SCRAM-SHA-256`.
    public var description: String { rawValue }
}
