/// A kind of TLS channel binding, by its registered name (RFC 5056 §2.1).
///
/// SASL `-PLUS` mechanisms (SCRAM-SHA-*-PLUS) bind the authentication to the TLS channel with one of these; the
/// server advertises the types it supports (XEP-0440) and the client picks one that ``TLSClientHandler`` can
/// provide for the negotiated version. A struct rather than an enum so other registered names still fit.
public struct ChannelBindingType: RawRepresentable, Hashable, Sendable {
    /// The registered name, such as `tls-exporter`, as used in SCRAM's `gs2-header` (`p=tls-exporter`).
    public var rawValue: String

    /// Creates a type from its registered name.
    ///
    /// - Parameter rawValue: The name, such as `tls-unique`.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// `tls-unique` (RFC 5929 §3): the first Finished message of the most recent handshake. Defined for TLS 1.2
    /// and earlier only; not available under TLS 1.3 (RFC 9266 §3).
    public static let tlsUnique = ChannelBindingType(rawValue: "tls-unique")
    /// `tls-exporter` (RFC 9266): 32 bytes of exported keying material with the label `EXPORTER-Channel-Binding`
    /// and an empty context. Available under TLS 1.3, and under TLS 1.2 only with the extended master secret
    /// (RFC 7627).
    public static let tlsExporter = ChannelBindingType(rawValue: "tls-exporter")
    /// `tls-server-end-point` (RFC 5929 §4): a hash of the server's certificate, with the hash function of the
    /// certificate's signature algorithm (MD5 and SHA-1 replaced by SHA-256). Available under any version when
    /// the server sent a certificate whose signature algorithm names a hash (not for Ed25519 or Ed448).
    public static let tlsServerEndPoint = ChannelBindingType(rawValue: "tls-server-end-point")

    /// The three types this module computes, strongest first: ``tlsExporter``, ``tlsServerEndPoint``,
    /// ``tlsUnique``.
    public static let all: [ChannelBindingType] = [.tlsExporter, .tlsServerEndPoint, .tlsUnique]
}

extension ChannelBindingType: CustomStringConvertible {
    /// The registered name.
    public var description: String { rawValue }
}
