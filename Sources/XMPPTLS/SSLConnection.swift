import CLibSSL
import NIOCore

/// One OpenSSL client connection (`SSL`) over two memory BIOs: ciphertext from the network is written into the
/// read BIO, and ciphertext OpenSSL produces is taken from the write BIO and sent by the caller.
///
/// Not thread-safe; ``TLSClientHandler`` owns it on its event loop. Each operation clears OpenSSL's error queue
/// first so that a failure reports only its own reasons.
final class SSLConnection {
    /// The outcome of an OpenSSL operation that may need more input.
    enum Outcome {
        /// The operation is done.
        case done
        /// More ciphertext from the peer is needed first.
        case wantRead
        /// The peer sent close_notify.
        case closed
        /// A fatal error; the connection cannot continue.
        case failed(TLSError)
    }

    /// The `SSL`, owned; it owns both BIOs.
    private let ssl: OpaquePointer
    /// Ciphertext received, waiting for OpenSSL.
    private let networkToSSL: OpaquePointer
    /// Ciphertext produced, waiting to be sent.
    private let sslToNetwork: OpaquePointer
    /// The context, kept alive as long as the connection.
    private let context: TLSClientContext

    /// The domain being verified, for error messages.
    var domain: String { context.configuration.domain }
    /// Whether certificate and host name verification is on.
    var verifying: Bool { !context.configuration.dangerouslyDisableCertificateAndHostnameVerification }

    /// Creates a connection for the context's configuration: SNI, expected host, ALPN, verification mode.
    ///
    /// - Throws: ``TLSError`` with ``TLSError/Code/invalidConfiguration`` for an unusable domain or ALPN name.
    init(context: TLSClientContext) throws(TLSError) {
        let configuration = context.configuration
        ERR_clear_error()
        guard let ssl = SSL_new(context.context) else {
            throw OpenSSLErrors.error(.invalidConfiguration, "cannot create an OpenSSL connection")
        }
        guard let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw OpenSSLErrors.error(.invalidConfiguration, "cannot create memory BIOs")
        }
        // An empty read BIO means "retry later" (SSL_ERROR_WANT_READ), not end of file.
        _ = CLibSSL_BIO_set_mem_eof_return(input, -1)
        _ = CLibSSL_BIO_set_mem_eof_return(output, -1)
        SSL_set_bio(ssl, input, output)
        SSL_set_connect_state(ssl)
        self.ssl = ssl
        self.networkToSSL = input
        self.sslToNetwork = output
        self.context = context

        var domain = configuration.domain.lowercased()
        if domain.hasSuffix(".") { domain.removeLast() }
        guard !domain.isEmpty, domain.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw TLSError(
                .invalidConfiguration,
                "the domain \"\(configuration.domain)\" is not an ASCII host name (give IDNs as A-labels)")
        }
        let isIPAddress = Self.isIPAddress(domain)
        if !isIPAddress {
            guard CLibSSL_SSL_set_tlsext_host_name(ssl, domain) == 1 else {
                throw OpenSSLErrors.error(.invalidConfiguration, "cannot send \(domain) as SNI")
            }
        }
        if configuration.dangerouslyDisableCertificateAndHostnameVerification {
            SSL_set_verify(ssl, SSL_VERIFY_NONE, nil)
        } else {
            let parameters = SSL_get0_param(ssl)
            X509_VERIFY_PARAM_set_hostflags(
                parameters, PeerIdentity.hostFlags | UInt32(X509_CHECK_FLAG_NEVER_CHECK_SUBJECT))
            let set =
                isIPAddress
                ? X509_VERIFY_PARAM_set1_ip_asc(parameters, domain)
                : X509_VERIFY_PARAM_set1_host(parameters, domain, 0)
            guard set == 1 else {
                throw OpenSSLErrors.error(.invalidConfiguration, "cannot verify against the name \(domain)")
            }
            SSL_set_verify(ssl, SSL_VERIFY_PEER) { PeerIdentity.verify($0, $1) }
        }
        if !configuration.applicationProtocols.isEmpty {
            var wire: [UInt8] = []
            for name in configuration.applicationProtocols {
                guard (1...255).contains(name.utf8.count) else {
                    throw TLSError(.invalidConfiguration, "the ALPN protocol name \"\(name)\" is empty or too long")
                }
                wire.append(UInt8(name.utf8.count))
                wire.append(contentsOf: name.utf8)
            }
            // SSL_set_alpn_protos returns 0 on success, unlike nearly everything else in OpenSSL.
            guard SSL_set_alpn_protos(ssl, wire, UInt32(wire.count)) == 0 else {
                throw OpenSSLErrors.error(.invalidConfiguration, "cannot offer the ALPN protocols")
            }
        }
    }

    deinit {
        SSL_free(ssl)
    }

    /// Whether `name` is an IPv4 or IPv6 address literal.
    static func isIPAddress(_ name: String) -> Bool {
        guard let address = a2i_IPADDRESS(name) else { return false }
        ASN1_OCTET_STRING_free(address)
        return true
    }

    // MARK: - Moving ciphertext

    /// Hands ciphertext received from the network to OpenSSL.
    func receive(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
            // A memory BIO takes everything it is given.
            _ = BIO_write(networkToSSL, base, Int32(bytes.count))
        }
    }

    /// Takes the ciphertext OpenSSL has produced, if any.
    func takeOutput(allocator: ByteBufferAllocator) -> ByteBuffer? {
        let pending = Int(CLibSSL_BIO_pending(sslToNetwork))
        guard pending > 0 else { return nil }
        var buffer = allocator.buffer(capacity: pending)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { bytes in
            Int(max(0, BIO_read(sslToNetwork, bytes.baseAddress, Int32(pending))))
        }
        return buffer
    }

    // MARK: - TLS operations

    /// Advances the handshake.
    func handshake() -> Outcome {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 { return .done }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .wantRead
        default:
            return .failed(OpenSSLErrors.handshakeError(ssl: ssl, verifying: verifying, domain: domain))
        }
    }

    /// Decrypts application data into `buffer` (up to its writable capacity, at most one record).
    func read(into buffer: inout ByteBuffer) -> Outcome {
        ERR_clear_error()
        var result: Int32 = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 16_384) { bytes in
            result = SSL_read(ssl, bytes.baseAddress, Int32(clamping: bytes.count))
            return Int(max(0, result))
        }
        if result > 0 { return .done }
        return outcome(of: result, what: "TLS read failed")
    }

    /// Encrypts all of `buffer`; on ``Outcome/wantRead`` nothing was written (a renegotiation must finish first)
    /// and the same bytes must be written again later.
    func write(_ buffer: ByteBuffer) -> Outcome {
        guard buffer.readableBytes > 0 else { return .done }
        ERR_clear_error()
        let result = buffer.withUnsafeReadableBytes { bytes in
            SSL_write(ssl, bytes.baseAddress, Int32(clamping: bytes.count))
        }
        if result > 0 { return .done }
        return outcome(of: result, what: "TLS write failed")
    }

    /// Queues close_notify (its ciphertext is then in ``takeOutput(allocator:)``).
    func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    private func outcome(of result: Int32, what: String) -> Outcome {
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .wantRead
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        default:
            if CLibSSL_ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING {
                return .failed(OpenSSLErrors.error(.unexpectedEOF, "the connection ended without close_notify"))
            }
            return .failed(OpenSSLErrors.error(.protocolError, what))
        }
    }

    // MARK: - Negotiated parameters

    /// The negotiated protocol version.
    var version: TLSVersion {
        TLSVersion(rawValue: UInt16(truncatingIfNeeded: SSL_version(ssl)))
    }

    /// The summary fired as ``TLSHandshakeCompleted``.
    func handshakeCompleted() -> TLSHandshakeCompleted {
        var cipherSuite = ""
        if let cipher = SSL_get_current_cipher(ssl) {
            if let name = SSL_CIPHER_standard_name(cipher) ?? SSL_CIPHER_get_name(cipher) {
                cipherSuite = String(cString: name)
            }
        }
        var protocolBytes: UnsafePointer<UInt8>?
        var protocolLength: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &protocolBytes, &protocolLength)
        let applicationProtocol = protocolBytes.map {
            String(decoding: UnsafeBufferPointer(start: $0, count: Int(protocolLength)), as: UTF8.self)
        }
        var bindings: [ChannelBindingType: [UInt8]] = [:]
        for type in ChannelBindingType.all {
            bindings[type] = channelBinding(type)
        }
        return TLSHandshakeCompleted(
            version: version, cipherSuite: cipherSuite,
            applicationProtocol: applicationProtocol.flatMap { $0.isEmpty ? nil : $0 },
            sessionReused: SSL_session_reused(ssl) == 1, channelBindings: bindings)
    }

    // MARK: - Channel bindings

    /// The channel binding data of a type, or `nil` when the type is not available on this connection.
    func channelBinding(_ type: ChannelBindingType) -> [UInt8]? {
        switch type {
        case .tlsUnique: tlsUnique()
        case .tlsExporter: tlsExporter()
        case .tlsServerEndPoint: tlsServerEndPoint()
        default: nil
        }
    }

    /// RFC 5929 §3.1: the first Finished message of the latest handshake: ours in a full handshake, the server's
    /// when the session was resumed. Not defined for TLS 1.3.
    private func tlsUnique() -> [UInt8]? {
        guard version == .tls12 else { return nil }
        var finished = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        let length =
            SSL_session_reused(ssl) == 1
            ? SSL_get_peer_finished(ssl, &finished, finished.count)
            : SSL_get_finished(ssl, &finished, finished.count)
        guard length > 0, length <= finished.count else { return nil }
        return Array(finished.prefix(length))
    }

    /// RFC 9266: 32 bytes exported with the label `EXPORTER-Channel-Binding` and an empty (zero-length, present)
    /// context. Under TLS 1.2 only with the extended master secret.
    private func tlsExporter() -> [UInt8]? {
        let version = self.version
        guard version >= .tls13 || (version == .tls12 && CLibSSL_SSL_get_extms_support(ssl) == 1) else {
            return nil
        }
        let label = Array("EXPORTER-Channel-Binding".utf8)
        var output = [UInt8](repeating: 0, count: 32)
        let context: [UInt8] = [0]  // a valid pointer for the zero-length context
        let result = label.withUnsafeBufferPointer { labelBytes in
            labelBytes.withMemoryRebound(to: CChar.self) { label in
                SSL_export_keying_material(ssl, &output, output.count, label.baseAddress, label.count, context, 0, 1)
            }
        }
        ERR_clear_error()
        return result == 1 ? output : nil
    }

    /// RFC 5929 §4.1: the server certificate's DER hashed with its signature algorithm's hash, where MD5 and SHA-1
    /// become SHA-256. Signature algorithms without a hash (Ed25519, Ed448) have no defined binding.
    private func tlsServerEndPoint() -> [UInt8]? {
        guard let certificate = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(certificate) }
        return Self.serverEndPointHash(of: certificate)
    }

    /// The `tls-server-end-point` hash of a certificate, or `nil` when its signature algorithm names no hash.
    static func serverEndPointHash(of certificate: OpaquePointer) -> [UInt8]? {
        var digestNID: Int32 = 0
        guard X509_get_signature_info(certificate, &digestNID, nil, nil, nil) == 1 else {
            ERR_clear_error()
            return nil
        }
        if digestNID == NID_md5 || digestNID == NID_sha1 { digestNID = NID_sha256 }
        guard digestNID != NID_undef, let digest = CLibSSL_EVP_get_digestbynid(digestNID) else { return nil }
        let length = i2d_X509(certificate, nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_X509(certificate, &cursor)
        }
        guard written == length else { return nil }
        var hash = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var hashLength: UInt32 = 0
        guard EVP_Digest(der, der.count, &hash, &hashLength, digest, nil) == 1 else { return nil }
        return Array(hash.prefix(Int(hashLength)))
    }
}
