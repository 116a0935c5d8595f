/// The user inbound event ``TLSClientHandler`` fires once its handshake has succeeded and the server was
/// verified.
///
/// It reaches the handlers after the TLS handler before any decrypted data does. The stream layer reads the
/// negotiated parameters from it and, for SASL `-PLUS` mechanisms, the ``channelBindings``.
public struct TLSHandshakeCompleted: Hashable, Sendable {
    /// The negotiated protocol version.
    public var version: TLSVersion
    /// The negotiated cipher suite by its IANA name, such as `TLS_AES_256_GCM_SHA384`.
    public var cipherSuite: String
    /// The ALPN protocol the server selected (RFC 7301), such as `xmpp-client`, or `nil` if none was.
    public var applicationProtocol: String?
    /// Whether the session was resumed rather than fully negotiated.
    public var sessionReused: Bool
    /// The channel bindings available on this connection, by type; types not available are absent.
    ///
    /// `tls-unique` changes if the server renegotiates later: call ``TLSClientHandler/channelBinding(_:)`` for
    /// the current value.
    public var channelBindings: [ChannelBindingType: [UInt8]]

    /// Creates the event.
    ///
    /// - Parameters:
    ///   - version: The negotiated protocol version.
    ///   - cipherSuite: The IANA name of the negotiated cipher suite.
    ///   - applicationProtocol: The ALPN protocol the server selected, if any.
    ///   - sessionReused: Whether the session was resumed.
    ///   - channelBindings: The available channel bindings.
    public init(
        version: TLSVersion, cipherSuite: String, applicationProtocol: String?, sessionReused: Bool,
        channelBindings: [ChannelBindingType: [UInt8]]
    ) {
        self.version = version
        self.cipherSuite = cipherSuite
        self.applicationProtocol = applicationProtocol
        self.sessionReused = sessionReused
        self.channelBindings = channelBindings
    }
}
