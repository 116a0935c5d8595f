/// A version of the TLS protocol, by its wire value (`0x0303` is TLS 1.2).
///
/// Only TLS 1.2 and 1.3 are offered: XMPP requires TLS 1.2 or later (RFC 7590 §3.1). A struct rather than an enum
/// so that a later version fits without breaking the API.
public struct TLSVersion: RawRepresentable, Hashable, Comparable, Sendable {
    /// The version as it appears on the wire and in OpenSSL (`TLS1_2_VERSION`, `TLS1_3_VERSION`).
    public var rawValue: UInt16

    /// Creates a version from its wire value.
    ///
    /// - Parameter rawValue: The wire value, such as `0x0304` for TLS 1.3.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// TLS 1.2 (RFC 5246): the minimum by default.
    public static let tls12 = TLSVersion(rawValue: 0x0303)
    /// TLS 1.3 (RFC 8446).
    public static let tls13 = TLSVersion(rawValue: 0x0304)

    /// Orders versions by their wire value: ``tls12`` is less than ``tls13``.
    public static func < (lhs: TLSVersion, rhs: TLSVersion) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

extension TLSVersion: CustomStringConvertible {
    /// `TLS 1.2`, `TLS 1.3`, or the wire value in hex for other versions.
    public var description: String {
        switch self {
        case .tls12: "TLS 1.2"
        case .tls13: "TLS 1.3"
        default: "TLS version 0x" + String(rawValue, radix: 16)
        }
    }
}
