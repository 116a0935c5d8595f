public import NIOCore

/// How ``TLSClientHandler`` connects: what it trusts, which name it expects, which versions and ALPN protocols
/// it offers.
///
/// The defaults are secure (DESIGN.md, "Secure by default"): the system trust store, the certificate chain and
/// host name verified, TLS 1.2 minimum. The one relaxation,
/// ``dangerouslyDisableCertificateAndHostnameVerification``, is off unless set explicitly.
///
/// ## Server identity (RFC 6125, RFC 7590 §3.2)
///
/// The certificate is accepted for ``domain`` when the chain verifies against ``trustRoots`` and one of these
/// holds:
/// - a DNS-ID (subjectAltName `dNSName`) matches the domain, case-insensitively; a wildcard is accepted only as
///   the whole leftmost label (`*.example.com`), never partially (`x*.example.com`);
/// - an SRV-ID (subjectAltName `otherName` `id-on-dnsSRV`, OID 1.3.6.1.5.5.7.8.7, RFC 4985) equals
///   `_xmpp-client.<domain>`;
/// - the certificate has no DNS-ID and no SRV-ID at all, and its subject common name matches the domain (the
///   legacy CN-ID fallback of RFC 6125 §6.4.4; a certificate with any DNS-ID or SRV-ID is never matched by CN).
///
/// The XmppAddr identifier (`id-on-xmppAddr`) is not consulted. The domain is compared as ASCII: give an
/// internationalized domain in its A-label form (`xn--...`). When the domain is an IP address literal, it must
/// match an `iPAddress` subjectAltName and no SNI is sent; otherwise SNI carries the domain.
public struct TLSConfiguration: Hashable, Sendable {
    /// Where the certificates that anchor verification come from.
    public enum TrustRoots: Hashable, Sendable {
        /// The system's default store (OpenSSL's default paths; on Debian `/etc/ssl/certs`).
        case systemDefault
        /// The PEM certificates in a file, and nothing else: a private CA, or a server's self-signed
        /// certificate, as used by the test servers.
        case caFile(String)
    }

    /// The XMPP domain of the server, the part after `@` in the user's JID (RFC 7590 §3.2): sent as SNI and
    /// required in the certificate. It is not the host name found by SRV lookup.
    public var domain: String
    /// The certificates verification trusts; ``TrustRoots/systemDefault`` by default.
    public var trustRoots: TrustRoots
    /// The ALPN protocols to offer (RFC 7301), most preferred first; empty (no ALPN) by default. Direct TLS
    /// (XEP-0368) offers `xmpp-client`: see ``directTLS(domain:trustRoots:)``.
    public var applicationProtocols: [String]
    /// The lowest protocol version accepted: ``TLSVersion/tls12`` by default, ``TLSVersion/tls13`` to refuse
    /// TLS 1.2.
    public var minimumVersion: TLSVersion
    /// The highest protocol version offered, or `nil` (the default) for the highest OpenSSL supports.
    public var maximumVersion: TLSVersion?
    /// How long closing waits for the server's close_notify after sending ours before the connection is
    /// closed anyway; 3 seconds by default.
    public var closeTimeout: TimeAmount
    /// Accepts any certificate for any name: no chain, expiry or host name verification.
    ///
    /// Anyone on the path can then read and change the stream, passwords included. Use it for nothing but an
    /// explicit, informed opt-in (a test against a throwaway server). `false` by default.
    public var dangerouslyDisableCertificateAndHostnameVerification: Bool

    /// Creates a configuration with secure defaults.
    ///
    /// - Parameters:
    ///   - domain: The XMPP domain the server must prove (`example.com`); used for SNI and verification.
    ///   - trustRoots: The trust anchors; the system store by default.
    ///   - applicationProtocols: ALPN protocols to offer; none by default.
    ///   - minimumVersion: The lowest accepted version; TLS 1.2 by default.
    public init(
        domain: String, trustRoots: TrustRoots = .systemDefault, applicationProtocols: [String] = [],
        minimumVersion: TLSVersion = .tls12
    ) {
        self.domain = domain
        self.trustRoots = trustRoots
        self.applicationProtocols = applicationProtocols
        self.minimumVersion = minimumVersion
        self.maximumVersion = nil
        self.closeTimeout = .seconds(3)
        self.dangerouslyDisableCertificateAndHostnameVerification = false
    }

    /// A configuration for direct TLS (XEP-0368): as ``init(domain:trustRoots:applicationProtocols:minimumVersion:)``
    /// with the ALPN protocol `xmpp-client`.
    ///
    /// - Parameters:
    ///   - domain: The XMPP domain the server must prove.
    ///   - trustRoots: The trust anchors; the system store by default.
    /// - Returns: The configuration.
    public static func directTLS(domain: String, trustRoots: TrustRoots = .systemDefault) -> TLSConfiguration {
        TLSConfiguration(domain: domain, trustRoots: trustRoots, applicationProtocols: ["xmpp-client"])
    }
}
