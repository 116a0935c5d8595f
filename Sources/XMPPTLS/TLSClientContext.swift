import CLibSSL

/// An OpenSSL client context (`SSL_CTX`) built from a ``TLSConfiguration``: trust anchors and protocol versions,
/// loaded once and shared by any number of connections.
///
/// Creating the context reads the CA file, so configuration errors surface here rather than in a pipeline.
/// Per-connection settings (the domain for SNI and verification, ALPN) are applied by each ``TLSClientHandler``.
public final class TLSClientContext: @unchecked Sendable {
    // @unchecked Sendable: `context` is configured in `init` and never changed afterwards; OpenSSL allows a
    // configured SSL_CTX to be used from several threads at once to create connections (SSL_new).

    /// The configuration the context was built from.
    public let configuration: TLSConfiguration
    /// The `SSL_CTX`, owned.
    let context: OpaquePointer

    /// Builds the OpenSSL context.
    ///
    /// - Parameter configuration: The trust roots and versions to use.
    /// - Throws: ``TLSError`` with ``TLSError/Code/invalidConfiguration`` when the CA file cannot be loaded or a
    ///   version is not supported.
    public init(configuration: TLSConfiguration) throws(TLSError) {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw OpenSSLErrors.error(.invalidConfiguration, "cannot create an OpenSSL context")
        }
        self.context = context
        self.configuration = configuration

        guard configuration.minimumVersion >= .tls12 else {
            throw TLSError(.invalidConfiguration, "\(configuration.minimumVersion) is below the TLS 1.2 minimum")
        }
        guard CLibSSL_SSL_CTX_set_min_proto_version(context, Int32(configuration.minimumVersion.rawValue)) == 1,
            CLibSSL_SSL_CTX_set_max_proto_version(context, Int32(configuration.maximumVersion?.rawValue ?? 0)) == 1
        else {
            throw OpenSSLErrors.error(.invalidConfiguration, "unsupported TLS version range")
        }
        // A write that must wait for a renegotiation is retried later with the same bytes, possibly at another
        // address. (TLS compression needs no option: OpenSSL 3 leaves it off.)
        _ = CLibSSL_SSL_CTX_set_mode(context, Int(SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER))

        switch configuration.trustRoots {
        case .systemDefault:
            guard SSL_CTX_set_default_verify_paths(context) == 1 else {
                throw OpenSSLErrors.error(.invalidConfiguration, "cannot load the system trust store")
            }
        case .caFile(let path):
            guard SSL_CTX_load_verify_locations(context, path, nil) == 1 else {
                throw OpenSSLErrors.error(.invalidConfiguration, "cannot load CA file \(path)")
            }
        }
    }

    deinit {
        SSL_CTX_free(context)
    }
}
