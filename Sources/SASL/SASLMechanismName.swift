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

    /// `HT-SHA-256-NONE` (draft-schmaus-kitten-sasl-ht): a hashed token, as XEP-0484 (FAST) issues, without channel
    /// binding.
    public static let htSHA256None = SASLMechanismName(rawValue: "HT-SHA-256-NONE")
    /// `HT-SHA-256-UNIQ`: a hashed token bound to the channel with `tls-unique`.
    public static let htSHA256Unique = SASLMechanismName(rawValue: "HT-SHA-256-UNIQ")
    /// `HT-SHA-256-EXPR`: a hashed token bound to the channel with `tls-exporter`.
    public static let htSHA256Exporter = SASLMechanismName(rawValue: "HT-SHA-256-EXPR")
    /// `HT-SHA-256-ENDP`: a hashed token bound to the channel with `tls-server-end-point`.
    public static let htSHA256EndPoint = SASLMechanismName(rawValue: "HT-SHA-256-ENDP")

    /// The hashed-token mechanisms, the channel-binding ones first (`tls-exporter`, `tls-server-end-point`,
    /// `tls-unique`), then `HT-SHA-256-NONE`.
    public static let hashedTokenMechanisms: [SASLMechanismName] = [
        .htSHA256Exporter, .htSHA256EndPoint, .htSHA256Unique, .htSHA256None,
    ]

    /// Whether this is a hashed-token (`HT-`) mechanism, which authenticates with a token instead of a password.
    public var isHashedToken: Bool {
        rawValue.hasPrefix("HT-")
    }

    /// The channel binding a hashed-token mechanism binds to (`nil` for `-NONE` and for other mechanisms).
    public var hashedTokenChannelBinding: SASLChannelBinding.Kind? {
        switch self {
        case .htSHA256Unique: .tlsUnique
        case .htSHA256Exporter: .tlsExporter
        case .htSHA256EndPoint: .tlsServerEndPoint
        default: nil
        }
    }

    /// Whether the name ends in `-PLUS`, the suffix of mechanisms that bind to the channel (RFC 5801 §4).
    public var isChannelBinding: Bool {
        rawValue.hasSuffix("-PLUS")
    }

    /// The name as registered, for example `SCRAM-SHA-256`.
    public var description: String { rawValue }
}

/// Encoded as the name's string.
extension SASLMechanismName: Codable {}
