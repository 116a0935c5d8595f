import CLibSSL

/// Reading OpenSSL's thread-local error queue and turning failures into ``TLSError``s.
enum OpenSSLErrors {
    /// Takes every entry off the error queue as text (`error:0A000086:SSL routines::certificate verify failed`),
    /// oldest first.
    static func drain() -> [String] {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages
    }

    /// An error with the given code whose message is `what`, followed by OpenSSL's queued reasons (drained).
    static func error(_ code: TLSError.Code, _ what: String) -> TLSError {
        let reasons = drain()
        return TLSError(code, reasons.isEmpty ? what : what + " (" + reasons.joined(separator: "; ") + ")")
    }

    /// Classifies a failed handshake.
    ///
    /// A certificate verification failure is reported by its verification result (untrusted, expired, host
    /// name...); otherwise the first queued reason decides between a version mismatch, an unexpected EOF and a
    /// general handshake failure.
    static func handshakeError(ssl: OpaquePointer, verifying: Bool, domain: String) -> TLSError {
        let verifyResult = Int32(SSL_get_verify_result(ssl))
        if verifying, verifyResult != X509_V_OK {
            let reasons = drain()
            let text = String(cString: X509_verify_cert_error_string(Int(verifyResult)))
            let (code, explanation) = verificationFailure(verifyResult, domain: domain)
            return TLSError(
                code, "certificate verification failed: \(text): \(explanation) (\(reasons.joined(separator: "; ")))")
        }
        let reason = CLibSSL_ERR_GET_REASON(ERR_peek_error())
        switch reason {
        case SSL_R_UNSUPPORTED_PROTOCOL, SSL_R_TLSV1_ALERT_PROTOCOL_VERSION, SSL_R_NO_PROTOCOLS_AVAILABLE,
            SSL_R_VERSION_TOO_LOW, SSL_R_VERSION_TOO_HIGH, SSL_R_UNSUPPORTED_SSL_VERSION:
            return error(.protocolVersion, "the server does not support an acceptable TLS version")
        case SSL_R_UNEXPECTED_EOF_WHILE_READING:
            return error(.unexpectedEOF, "the connection ended during the TLS handshake")
        default:
            return error(.handshakeFailed, "TLS handshake failed")
        }
    }

    /// The code and an explanation for an X.509 verification result.
    static func verificationFailure(_ result: Int32, domain: String) -> (TLSError.Code, String) {
        switch result {
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
            X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, X509_V_ERR_CERT_UNTRUSTED:
            return (.untrustedCertificate, "the certificate is not issued by a trusted certificate authority")
        case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
            return (.hostnameMismatch, "the certificate is not valid for \(domain)")
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return (.certificateExpired, "the certificate has expired")
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return (.certificateNotYetValid, "the certificate is not valid yet")
        default:
            return (.certificateInvalid, "the certificate is not acceptable")
        }
    }
}
