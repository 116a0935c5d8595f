import CLibSSL

/// Server identity checks beyond OpenSSL's DNS-ID matching (RFC 6125, RFC 7590 §3.2): the SRV-ID
/// `_xmpp-client.<domain>`, and the CN-ID fallback for certificates without DNS-IDs or SRV-IDs.
///
/// OpenSSL checks DNS-IDs itself (`X509_VERIFY_PARAM_set1_host`, with partial wildcards refused and the subject
/// never consulted). When that check fails it reports `X509_V_ERR_HOSTNAME_MISMATCH` to the verify callback,
/// which then asks ``acceptsAlternativeIdentity(of:domain:)`` before refusing the certificate.
enum PeerIdentity {
    /// The SRV service label of client-to-server XMPP (RFC 6120 §3.2.1, RFC 7590 §3.2).
    static let service = "_xmpp-client"

    /// The host name check flags: wildcards only as a whole leftmost label.
    static let hostFlags = UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS)

    /// The `SSL_set_verify` callback: keeps OpenSSL's verdict, except that a host name mismatch is forgiven when
    /// the certificate carries a matching SRV-ID or, having no DNS-ID or SRV-ID, a matching common name.
    static func verify(_ preverified: Int32, _ storeContext: OpaquePointer?) -> Int32 {
        if preverified == 1 { return 1 }
        guard let storeContext, X509_STORE_CTX_get_error(storeContext) == X509_V_ERR_HOSTNAME_MISMATCH,
            X509_STORE_CTX_get_error_depth(storeContext) == 0,
            let certificate = X509_STORE_CTX_get_current_cert(storeContext),
            let parameters = X509_STORE_CTX_get0_param(storeContext),
            let host = X509_VERIFY_PARAM_get0_host(parameters, 0)
        else {
            return 0
        }
        guard acceptsAlternativeIdentity(of: certificate, domain: String(cString: host)) else { return 0 }
        X509_STORE_CTX_set_error(storeContext, X509_V_OK)
        return 1
    }

    /// Whether a certificate whose DNS-IDs did not match is still valid for `domain`: through an SRV-ID equal to
    /// `_xmpp-client.<domain>`, or, when it has neither DNS-IDs nor SRV-IDs, through its common name.
    static func acceptsAlternativeIdentity(of certificate: OpaquePointer, domain: String) -> Bool {
        let expected = (service + "." + domain).lowercased()
        var hasDNSOrSRVID = false
        if let raw = X509_get_ext_d2i(certificate, NID_subject_alt_name, nil, nil) {
            let names = OpaquePointer(raw)
            defer { GENERAL_NAMES_free(names) }
            for index in 0..<CLibSSL_sk_GENERAL_NAME_num(names) {
                guard let name = CLibSSL_sk_GENERAL_NAME_value(names, index) else { continue }
                switch name.pointee.type {
                case GEN_DNS:
                    hasDNSOrSRVID = true
                case GEN_OTHERNAME:
                    guard let otherName = name.pointee.d.otherName,
                        OBJ_obj2nid(otherName.pointee.type_id) == NID_SRVName
                    else { continue }
                    hasDNSOrSRVID = true
                    if let value = srvName(otherName.pointee.value), value.lowercased() == expected {
                        return true
                    }
                default:
                    continue
                }
            }
        }
        if hasDNSOrSRVID { return false }
        // No DNS-ID and no SRV-ID: X509_check_host falls back to the subject's common name.
        return X509_check_host(certificate, domain, 0, hostFlags, nil) == 1
    }

    /// The text of an SRVName (an IA5String), or `nil` if the value has another type.
    private static func srvName(_ value: UnsafeMutablePointer<ASN1_TYPE>?) -> String? {
        guard let value, value.pointee.type == V_ASN1_IA5STRING, let string = value.pointee.value.ia5string,
            let bytes = ASN1_STRING_get0_data(string)
        else {
            return nil
        }
        let buffer = UnsafeBufferPointer(start: bytes, count: Int(ASN1_STRING_length(string)))
        guard buffer.allSatisfy({ $0 > 0 && $0 < 0x80 }) else { return nil }
        return String(decoding: buffer, as: UTF8.self)
    }
}
